"""In the worker processes the delivery tests start (``FK_WORKER_HANDLERS``): the probe's
background handlers, which the test process registers on its own (``delivery_probe.register``)."""

import os

from django_functionalkit.registry import registry
from tests import delivery_probe

if os.environ.get("FK_WORKER_HANDLERS"):
    delivery_probe.register(registry)
