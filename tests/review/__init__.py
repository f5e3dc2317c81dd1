"""Pull-request review: the preview comment."""
