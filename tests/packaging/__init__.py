"""The package as users get it (issue 12): the sdist and wheel `python -m build`
makes, their contents and metadata, and the wheel installed and run outside the
repository (scripts/try_wheel.py)."""
