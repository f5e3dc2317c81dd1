"""Networks: one module each, registered in :mod:`smmgen.registry`."""
