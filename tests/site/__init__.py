"""Tests of smmgen.site: the preview pages and the cards in them."""
