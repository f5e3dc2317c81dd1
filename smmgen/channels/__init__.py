"""What a network is: :class:`~smmgen.channels.base.Network` with its limits, and
the :class:`~smmgen.channels.dialect.Dialect` base. The networks themselves are
in ``smmgen.networks`` (and in third-party packages), found by
:mod:`smmgen.registry`."""
