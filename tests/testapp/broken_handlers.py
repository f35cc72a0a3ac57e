"""A handlers module with a bug: importing it fails with its own error."""

raise RuntimeError("broken_handlers fails on purpose")
