"""What the audit log stores: any value as plain JSON, secrets redacted, large payloads capped.

Pure Python (no Django import), so it is easy to test and cheap to import::

    >>> payload = AuditPayload(redact=["ssn"])
    >>> payload.dump({"user": "ada", "new_password": "hunter22", "SSN": "078-05-1120"})
    {'user': 'ada', 'new_password': '[redacted]', 'SSN': '[redacted]'}

Keys are secret when, lower-cased and without ``_``, ``-`` and spaces, they contain one of
``SECRET_KEYS`` or the extra names given (``accessToken``, ``X-Api-Key``, ``new_password``).
Their values are replaced at any depth, and a secret string found that way is also scrubbed
from every other string of the same entry (an error message that echoes it, say).
"""

from __future__ import annotations

import dataclasses
import datetime
import enum
import ipaddress
import json
import math
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from pathlib import PurePath
from typing import Any, Final, TypeAlias

from typing_extensions import TypeIs

from .introspection import dotted_name  # here too: the audit entries' names of types
from .options import Nothing, Some
from .results import Failure, Success
from .units import Unit
from .validation import Invalid, Valid

__all__ = [
    "REDACTED",
    "SECRET_KEYS",
    "AuditPayload",
    "Json",
    "cap",
    "client_address",
    "dotted_name",
]

Json: TypeAlias = "bool | int | float | str | list[Json] | dict[str, Json] | None"

# Redacted wherever they appear in a key ("new_password", "accessToken", "X-Api-Key"): the
# names of passwords, tokens, keys and card numbers, and the HTTP carriers of credentials.
# docs/audit.md lists them and the whole keys below (tests/test_names.py holds it to that).
SECRET_KEYS: Final = (
    "password",
    "passwd",
    "passphrase",
    "token",
    "secret",
    "api_key",
    "apikey",
    "private_key",
    "signing_key",
    "credential",
    "authorization",
    "cookie",
    "sessionid",
    "csrf",
    "credit_card",
    "card_number",
)
# Redacted when they are the whole key: as parts of keys they would catch innocent names
# ("pin" in "shipping", "otp" in "footprint").
SECRET_WHOLE_KEYS: Final = ("pwd", "pass", "pin", "otp", "cvv", "cvc", "ssn")
REDACTED: Final = "[redacted]"
# Nesting deeper than this is cut: audit data is for reading, and a cycle cannot recurse forever.
MAX_DEPTH: Final = 32
# Shorter secrets stay redacted under their keys but are not scrubbed from other text, where
# replacing every "abc" would make the entry unreadable and protect nothing.
MIN_SCRUBBED_LENGTH: Final = 4
_INT_RANGE: Final = range(-(2**63), 2**63)  # larger ints are stored as strings, exactly


def _normalized(key: str) -> str:
    return key.lower().replace("_", "").replace("-", "").replace(" ", "")


class AuditPayload:
    """Turns the values of one audit entry into JSON, redacting secrets as it goes."""

    def __init__(self, redact: Iterable[str] = ()) -> None:
        """``redact``: key names redacted besides ``SECRET_KEYS`` (``AUDIT_REDACT``)."""
        if isinstance(redact, str):  # one name, not its letters
            redact = [redact]
        self._fragments = tuple({_normalized(k) for k in (*SECRET_KEYS, *redact) if k.strip()})
        self._whole = frozenset(_normalized(k) for k in SECRET_WHOLE_KEYS)
        self.secrets: set[str] = set()  # the string values redacted so far

    def is_secret(self, key: str) -> bool:
        """Whether values under ``key`` are redacted."""
        normalized = _normalized(key)
        return normalized in self._whole or any(f in normalized for f in self._fragments)

    def dump(self, value: object) -> Json:
        """``value`` as JSON types, secrets redacted; never raises."""
        return self._dump(value, 0, frozenset())

    def scrub(self, value: Json) -> Json:
        """``value`` with every secret seen so far replaced inside its strings (keys too)."""
        secrets = sorted((s for s in self.secrets if len(s) >= MIN_SCRUBBED_LENGTH), key=len)
        if not secrets:
            return value
        return _scrubbed(value, secrets[::-1])  # longest first: a secret containing another

    def text(self, value: str) -> str:
        """A free text (an error message) with the secrets seen so far scrubbed."""
        scrubbed = self.scrub(_clean(value))
        return scrubbed if isinstance(scrubbed, str) else value

    # -- one value ------------------------------------------------------------------------------

    def _dump(self, value: object, depth: int, path: frozenset[int]) -> Json:
        if depth > MAX_DEPTH or id(value) in path:
            return "[too deep]" if depth > MAX_DEPTH else "[cycle]"
        try:
            return self._convert(value, depth, path | {id(value)})
        except Exception as exc:  # a broken __str__ or property must not lose the entry
            return f"[unserializable {dotted_name(type(value))}: {type(exc).__name__}]"

    def _convert(self, value: object, depth: int, path: frozenset[int]) -> Json:
        def inner(item: object) -> Json:
            return self._dump(item, depth + 1, path)

        for convert in (_scalar, _library_value, _reference, self._container):
            converted = convert(value, inner)
            if not isinstance(converted, _NotConverted):
                return converted
        attributes = _public_attributes(value)
        if attributes:
            return self._mapping(attributes, inner)
        return _clean(str(value))  # lazy translations, opaque values: their text

    def _container(self, value: object, inner: _Inner) -> Json | _NotConverted:
        """Dataclasses, mappings, sequences and sets, redacting as they go."""
        if dataclasses.is_dataclass(value):
            fields = {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
            return self._mapping(fields, inner)
        if isinstance(value, Mapping):
            return self._mapping(value, inner)
        if self._is_secret_pair(value):  # ("Authorization", "Bearer ..."): a header, a field
            return [inner(value[0]), self._redacted(value[1])]
        if isinstance(value, (list, tuple, range, deque)):
            return [inner(item) for item in value]
        if isinstance(value, (set, frozenset)):
            return sorted((inner(item) for item in value), key=_sort_key)
        return _NOT_CONVERTED

    def _mapping(self, mapping: Mapping[Any, Any], inner: _Inner) -> dict[str, Json]:
        dumped: dict[str, Json] = {}
        for key, item in mapping.items():
            name = _key(key, inner)
            dumped[name] = self._redacted(item) if self.is_secret(name) else inner(item)
        return dumped

    def _is_secret_pair(self, value: object) -> TypeIs[tuple[str, object]]:
        return (
            isinstance(value, tuple)
            and len(value) == 2
            and isinstance(value[0], str)
            and self.is_secret(value[0])
        )

    def _redacted(self, value: object) -> str:
        # The strings inside a redacted value are kept, to scrub them from the rest of the entry.
        self.secrets.update(_strings(_UNREDACTED.dump(value)))
        return REDACTED


class _NotConverted:
    """What a converter returns for a value it does not know."""


_NOT_CONVERTED: Final = _NotConverted()
_Inner: TypeAlias = Callable[[object], Json]


def _scalar(value: object, inner: _Inner) -> Json | _NotConverted:  # noqa: PLR0911 - one per type
    """A value without parts."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, enum.Enum):  # before int and str: IntEnum, StrEnum
        return inner(value.value)
    if isinstance(value, int):
        return int(value) if value in _INT_RANGE else str(value)
    if isinstance(value, float):
        return float(value) if math.isfinite(value) else str(value)
    if isinstance(value, str):
        return _clean(str(value))
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, (Decimal, uuid.UUID, datetime.timedelta, PurePath, complex)):
        return str(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return f"<{len(value)} bytes>"
    return _NOT_CONVERTED


def _library_value(value: object, inner: _Inner) -> Json | _NotConverted:  # noqa: PLR0911
    """The library's own wrappers, tagged with their variant: ``{"failure": ...}``."""
    if isinstance(value, Success):
        return {"success": inner(value.value)}
    if isinstance(value, Failure):
        return {"failure": inner(value.error)}
    if isinstance(value, Some):
        return {"some": inner(value.value)}
    if isinstance(value, Nothing):
        return {"nothing": None}
    if isinstance(value, Valid):
        return {"valid": inner(value.value)}
    if isinstance(value, Invalid):
        return {"invalid": [inner(e) for e in value.errors]}
    if isinstance(value, Unit):
        return None
    return _NOT_CONVERTED


def _reference(value: object, inner: _Inner) -> Json | _NotConverted:
    """Things stored by name: exceptions, classes, functions, model rows and querysets."""
    if isinstance(value, BaseException):
        return {"exception": dotted_name(type(value)), "message": _clean(str(value))}
    if isinstance(value, type) or (callable(value) and hasattr(value, "__qualname__")):
        return dotted_name(value)
    if _is_model_class(type(value)) and hasattr(value, "pk"):
        return {"model": _model_label(type(value)), "pk": inner(getattr(value, "pk"))}  # noqa: B009
    model = getattr(value, "model", None)
    if _is_model_class(model) and hasattr(value, "query"):  # a QuerySet: never evaluated
        return {"queryset": _model_label(model)}
    return _NOT_CONVERTED


def _key(key: object, inner: _Inner) -> str:
    if isinstance(key, str):
        return _clean(key)
    dumped = inner(key)
    return dumped if isinstance(dumped, str) else json.dumps(dumped, sort_keys=True)


def _sort_key(item: Json) -> str:
    return json.dumps(item, sort_keys=True)


def _clean(text: str) -> str:
    """``text`` storable everywhere: PostgreSQL refuses NUL and lone surrogates."""
    if "\x00" in text:
        text = text.replace("\x00", "\ufffd")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-8", "replace").decode("utf-8")
    return text


def _is_model_class(value: object) -> bool:
    meta = getattr(value, "_meta", None)
    return isinstance(value, type) and hasattr(meta, "label_lower")


def _model_label(model: Any) -> str:
    label: str = model._meta.label_lower
    return label


def _public_attributes(value: object) -> dict[str, Any]:
    names: list[str] = list(getattr(value, "__dict__", {}))
    for klass in type(value).__mro__:
        slots = klass.__dict__.get("__slots__", ())
        names.extend([slots] if isinstance(slots, str) else slots)
    return {
        name: getattr(value, name)
        for name in dict.fromkeys(names)
        if not name.startswith("_") and hasattr(value, name)
    }


def _strings(value: Json) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)


_UNREDACTED: Final = AuditPayload()
_UNREDACTED._fragments = ()  # only reads the values of redacted keys, never stored
_UNREDACTED._whole = frozenset()


def _scrubbed(value: Json, secrets: list[str]) -> Json:
    if isinstance(value, str):
        for secret in secrets:
            if secret in value:
                value = value.replace(secret, REDACTED)
        return value
    if isinstance(value, list):
        return [_scrubbed(item, secrets) for item in value]
    if isinstance(value, dict):
        return {str(_scrubbed(k, secrets)): _scrubbed(v, secrets) for k, v in value.items()}
    return value


def cap(value: Json, max_chars: int) -> Json:
    """``value``, or when its JSON is longer than ``max_chars``, a marker saying so.

    The marker, ``{"truncated": true, "size": <characters>, "preview": "<the JSON's start>"}``,
    is itself at most ``max_chars`` long (unless ``max_chars`` is shorter than an empty marker).
    """
    text = json.dumps(value, ensure_ascii=False)
    if len(text) <= max_chars:
        return value
    marker: dict[str, Json] = {"truncated": True, "size": len(text), "preview": ""}
    room = max_chars - len(json.dumps(marker, ensure_ascii=False))
    length = max(room, 0)
    while length > 0:
        excess = len(json.dumps(text[:length], ensure_ascii=False)) - 2 - room
        if excess <= 0:
            break
        length -= excess  # escapes made the preview longer: shorten it by that much
    marker["preview"] = text[: max(length, 0)]
    return marker


def client_address(value: object) -> str | None:
    """A valid IP address, normalized, or ``None`` (a column of IP type refuses anything else)."""
    if not isinstance(value, str):
        return None
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None
