"""marshmallow fields of the API, with the input bounds of hrfund.core.inputs and messages in
the reader's language.

One rule for numbers, everywhere: an integer field takes a JSON integer or a string of decimal
digits (``"fiscal_year": "2026"`` and ``"call_id": "1"`` both work); a fraction, a boolean or any
other text is refused. Enum values are taken in any case and answered in lower case.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Mapping
from typing import Any

import marshmallow as ma
from flask_babel import lazy_gettext as _l

from hrfund.core.errors import ValidationFailed
from hrfund.core.inputs import MAX_BIGINT, MAX_ID, MAX_YEAR, MIN_YEAR, has_control_chars, parse_year

EARLIEST, LATEST = dt.date(1900, 1, 1), dt.date(MAX_YEAR, 12, 31)
_DIGITS = re.compile(r"[+-]?[0-9]{1,20}")

#: The messages of marshmallow's own checks, in the reader's language.
COMMON_MESSAGES = {
    "required": _l("This field is required."),
    "null": _l("This field may not be empty."),
    "validator_failed": _l("This value is not valid."),
    "type": _l("This value has the wrong type."),
}


class Translated:
    """Mixin: messages from a gettext catalog, rendered in the request's language when raised."""

    default_error_messages = COMMON_MESSAGES

    def make_error(self, key: str, **kwargs: Any) -> ma.ValidationError:
        messages: dict[str, object] = getattr(self, "error_messages")  # noqa: B009  # set by Field
        return ma.ValidationError(str(messages[key]).format(**kwargs))


class Text(Translated, ma.fields.String):
    """Text without control characters (tab and newlines are text), at most ``max_length``."""

    default_error_messages = COMMON_MESSAGES | {
        "invalid": _l("Enter text."),
        "control": _l("Remove the control characters (such as NUL) from this text."),
        "too_long": _l("Enter at most {max} characters."),
    }

    def __init__(self, *, max_length: int = 10_000, **kwargs: Any) -> None:
        self.max_length = max_length
        kwargs.setdefault("metadata", {})["maxLength"] = max_length
        super().__init__(**kwargs)

    def deserialize(
        self,
        value: Any,
        attr: str | None = None,
        data: Mapping[str, Any] | None = None,
        **kwargs: Any,
    ) -> Any:
        if value is None and not self.allow_none:
            value = ma.missing  # null is no text: the default, or "required"
        return super().deserialize(value, attr, data, **kwargs)

    def _deserialize(
        self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any
    ) -> Any:
        text = super()._deserialize(value, attr, data, **kwargs)
        if has_control_chars(text):
            raise self.make_error("control")
        if len(text) > self.max_length:
            raise self.make_error("too_long", max=self.max_length)
        return text


class WholeNumber(Translated, ma.fields.Integer):
    """An integer, or a string of decimal digits, within ``minimum``..``maximum``."""

    default_error_messages = COMMON_MESSAGES | {
        "invalid": _l("Enter a whole number."),
        "range": _l("Enter a number from {min} to {max}."),
    }

    def __init__(
        self, *, minimum: int = -MAX_BIGINT, maximum: int = MAX_BIGINT, **kwargs: Any
    ) -> None:
        self.minimum, self.maximum = minimum, maximum
        metadata = kwargs.setdefault("metadata", {})
        metadata.setdefault("minimum", minimum)
        metadata.setdefault("maximum", maximum)
        super().__init__(strict=False, **kwargs)

    def _validated(self, value: Any) -> int:
        if isinstance(value, str) and _DIGITS.fullmatch(value.strip()):
            value = int(value.strip())
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.make_error("invalid")
        if not self.minimum <= value <= self.maximum:
            raise self.make_error("range", min=self.minimum, max=self.maximum)
        return value


class Yen(WholeNumber):
    """A whole number of yen, also as typed the Japanese way ("￥３，０００", "3,000円"), read by
    the one yen parser (hrfund/core/yen.py), with its messages ("must be positive")."""

    def __init__(self, *, minimum: int = 0, **kwargs: Any) -> None:
        kwargs.setdefault("metadata", {}).setdefault("type", "integer")
        super().__init__(minimum=minimum, **kwargs)

    def _validated(self, value: Any) -> int:
        from hrfund.core.errors import ValidationFailed
        from hrfund.core.yen import read_yen

        try:
            number = read_yen(value, "amount", minimum=self.minimum, maximum=self.maximum)
        except ValidationFailed as error:
            raise ma.ValidationError(error.message) from None
        assert number is not None  # read_yen answers None only with allow_empty
        return number


class Id(WholeNumber):
    """A record id: 1..2³¹-1 (every primary key is a 32-bit column)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(minimum=1, maximum=MAX_ID, **kwargs)


class Year(Translated, ma.fields.Integer):
    """A fiscal or calendar year the system keeps records for (parse_year's rule)."""

    default_error_messages = COMMON_MESSAGES | {"invalid": _l("Enter a year.")}

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("metadata", {}).update(minimum=MIN_YEAR, maximum=MAX_YEAR, example=2026)
        super().__init__(**kwargs)

    def _validated(self, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise self.make_error("invalid")
        try:
            return parse_year(value, self.name or "fiscal_year")
        except ValidationFailed as error:
            raise ma.ValidationError(error.message) from None


class Date(Translated, ma.fields.Date):
    """A date, YYYY-MM-DD, from 1900 to MAX_YEAR; an empty string is no date. (Before 1900,
    Tokyo's local mean time has an offset no RFC 3339 instant can carry.)"""

    default_error_messages = COMMON_MESSAGES | {
        "invalid": _l("Enter a date as YYYY-MM-DD."),
        "format": _l("Enter a date as YYYY-MM-DD."),
        "range": _l("Enter a date from {first} to {last}."),
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("allow_none", True)
        super().__init__(**kwargs)

    def deserialize(
        self,
        value: Any,
        attr: str | None = None,
        data: Mapping[str, Any] | None = None,
        **kwargs: Any,
    ) -> Any:
        return super().deserialize(None if value == "" else value, attr, data, **kwargs)

    def _deserialize(
        self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any
    ) -> Any:
        if not isinstance(value, str):
            raise self.make_error("invalid")
        day = super()._deserialize(value, attr, data, **kwargs)
        if not EARLIEST <= day <= LATEST:
            raise self.make_error("range", first=EARLIEST.isoformat(), last=LATEST.isoformat())
        return day


class Instant(Translated, ma.fields.DateTime):
    """An instant, RFC 3339 with its offset (answers only)."""


class Choice(Translated, ma.fields.String):
    """One of ``values``, in any case (``"IELTS"`` is ``"ielts"``); answered in lower case."""

    default_error_messages = COMMON_MESSAGES | {"one_of": _l("Choose one of: {choices}.")}

    def __init__(self, values: Iterable[object], **kwargs: Any) -> None:
        self.choices = [str(getattr(v, "value", v)) for v in values]
        kwargs.setdefault("metadata", {})["enum"] = self.choices
        super().__init__(**kwargs)

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        return None if value is None else str(getattr(value, "value", value))

    def _deserialize(
        self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any
    ) -> Any:
        if not isinstance(value, str) or value.strip().lower() not in self.choices:
            raise self.make_error("one_of", choices=", ".join(self.choices))
        return value.strip().lower()


class DecimalText(Translated, ma.fields.String):
    """A decimal amount as a string (``"1234.56"``); a JSON number is taken too. The service
    reading it decides its precision and range."""

    default_error_messages = COMMON_MESSAGES | {"invalid": _l("Enter a number.")}

    def __init__(self, *, normalize: bool = False, **kwargs: Any) -> None:
        self.normalize = normalize  # answer 1234.5600 as "1234.56" and 100.0 as "100"
        kwargs.setdefault("metadata", {}).setdefault("example", "1234.56")
        super().__init__(**kwargs)

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        if value is None:
            return None
        return f"{value.normalize():f}" if self.normalize else str(value)

    def _deserialize(
        self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any
    ) -> Any:
        if isinstance(value, float) and math.isfinite(value):
            return repr(value)
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        if isinstance(value, str) and not has_control_chars(value):
            return value.strip()
        raise self.make_error("invalid")


class UserRef(Translated, ma.fields.Field[int | str]):
    """A user named by e-mail address (or employee number) or by id."""

    default_error_messages = COMMON_MESSAGES | {
        "invalid": _l("Name a user by e-mail address or id.")
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("metadata", {}).update(
            oneOf=[{"type": "string"}, {"type": "integer", "minimum": 1, "maximum": MAX_ID}]
        )
        super().__init__(**kwargs)

    def _deserialize(
        self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any
    ) -> Any:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str) and not has_control_chars(value):
            text = value.strip()
            # an id out of range stays text: it names no one, as an unknown address does
            return int(text) if text.isascii() and text.isdigit() and len(text) <= 9 else text
        raise self.make_error("invalid")


class Boolean(Translated, ma.fields.Boolean):
    """true or false, and nothing else (not 1, not "yes")."""

    default_error_messages = COMMON_MESSAGES | {"invalid": _l("Enter true or false.")}

    def _deserialize(
        self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any
    ) -> Any:
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


class List(Translated, ma.fields.List[Any]):
    default_error_messages = COMMON_MESSAGES | {"invalid": _l("Enter a list.")}


class Nested(Translated, ma.fields.Nested):
    default_error_messages = COMMON_MESSAGES | {"type": _l("Enter an object.")}


class Dict(Translated, ma.fields.Dict):
    default_error_messages = COMMON_MESSAGES | {"invalid": _l("Enter an object.")}


#: apispec: how each field of ours is described in the OpenAPI document.
OPENAPI_TYPES = {
    Text: ("string", None),
    WholeNumber: ("integer", None),
    Id: ("integer", None),
    Year: ("integer", None),
    Date: ("string", "date"),
    Instant: ("string", "date-time"),
    Choice: ("string", None),
    DecimalText: ("string", None),
    Boolean: ("boolean", None),
}
