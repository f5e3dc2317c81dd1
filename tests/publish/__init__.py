"""Publishing tests."""
