"""A handlers module that exists but imports a package that is not installed."""

import functionalkit_tests_not_installed  # noqa: F401
