"""Tests of smmgen.text: lengths per network, twitter-text conformance, facets."""
