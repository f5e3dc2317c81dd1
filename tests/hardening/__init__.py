"""Hardening (issue 11): one module per class of hostile or odd input."""
