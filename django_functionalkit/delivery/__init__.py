"""Durable notifications: stored events (``events``) and their JSON (``serialization``).

A room beside the messenger, not a behavior: ``publish`` writes the event of a stored
notification in the publishing transaction, before its handlers wait for the commit.
"""
