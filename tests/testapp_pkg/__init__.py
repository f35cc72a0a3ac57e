"""An app whose ``handlers`` is a package rather than a module."""
