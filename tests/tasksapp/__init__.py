"""A test app whose tasks write rows, for the tests that start real task workers."""
