"""The preview as web pages: the post list, each post as every network shows it,
and the calendar; served live by ``smmgen serve`` and written by ``smmgen build``."""
