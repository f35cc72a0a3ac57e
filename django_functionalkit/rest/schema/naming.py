"""An operation's id, summary and description, from its message's name and docstring."""

from __future__ import annotations

import inspect
import re

from drf_spectacular.settings import spectacular_settings

from django_functionalkit.messages import Message
from django_functionalkit.rest.mixin import MessageMixin

from .operation import OperationSchema


class Naming(OperationSchema):
    """Names an operation after its message."""

    def get_operation_id(self) -> str:
        message_type, view = self.message_type(), self.message_view()
        if message_type is None or view is None:
            return super().get_operation_id()
        name, key = _snake_case(message_type.__name__), self.action_key()
        # one message for two actions (update and partial_update): the second says which
        first = next(k for k, m in view.messages.items() if m is message_type)
        return name if key == first else f"{name}_{key}"

    def get_summary(self) -> str | None:
        message_type = self.message_type()
        if message_type is None:
            return super().get_summary()
        summary, _ = _docstring(message_type)
        return summary or None

    def get_description(self) -> str:  # type: ignore[override]
        message_type = self.message_type()
        if message_type is None:
            return super().get_description()
        summary, rest = _docstring(message_type)
        if summary:
            return rest
        # else what the view says, in its action method or its class: not what the library says
        view = type(self.view)
        return _own_doc(getattr(view, self.action_key(), None)) or _own_doc(view)


def _own_doc(obj: object) -> str:
    """The docstring ``obj`` has itself (a class's, not its bases'), cleaned."""
    # the shared action method, maybe wrapped (drf-spectacular wraps what it decorates)
    if not callable(obj) or inspect.unwrap(obj) is MessageMixin.handle_message:
        return ""
    doc = vars(obj).get("__doc__") if isinstance(obj, type) else getattr(obj, "__doc__", None)
    if not doc or spectacular_settings.DISABLE_DOCSTRING_DESCRIPTIONS:
        return ""
    return inspect.cleandoc(doc)


def _snake_case(name: str) -> str:
    words = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
    return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", words).lower()


def _docstring(message_type: type[Message]) -> tuple[str, str]:
    """The first paragraph of the message's own docstring on one line, and the rest."""
    doc = message_type.__dict__.get("__doc__") or ""
    generated = doc.startswith(f"{message_type.__name__}(")  # dataclass's signature line
    if generated or spectacular_settings.DISABLE_DOCSTRING_DESCRIPTIONS:
        return "", ""
    # reST literals (``x``) as markdown's (`x`), which Swagger UI and Redoc render
    first, _, rest = inspect.cleandoc(doc).replace("``", "`").partition("\n\n")
    return " ".join(first.split()), rest.strip()
