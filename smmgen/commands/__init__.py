"""The commands' work, as plain functions the CLI calls (see ``smmgen.cli``)."""
