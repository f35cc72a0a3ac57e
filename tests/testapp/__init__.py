"""A small shop app for the messenger tests: its handlers are found by discovery."""
