"""Chinese names of what the audit trail records: object types (models), their fields, and the
words for stored codes (a choice's label, or words a context registers for a code that is not a
model choice, such as a rule version)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist

_value_words: dict[tuple[str, str], Mapping[str, Any]] = {}


def object_type_label(object_type: str) -> str:
    """Return the model's Chinese name for an object type such as "accounts.user"."""
    try:
        model = apps.get_model(object_type)
    except (LookupError, ValueError):
        return object_type
    return str(model._meta.verbose_name)


def field_label(object_type: str, field_name: str) -> str:
    """Return the Chinese name of a model field for the changes table, or the raw name."""
    try:
        field = apps.get_model(object_type)._meta.get_field(field_name)
    except (LookupError, ValueError, FieldDoesNotExist):
        # Not a model, or the field was renamed since the event was written.
        return field_name
    return str(getattr(field, "verbose_name", field_name))


def register_value_words(object_type: str, field_name: str, words: Mapping[str, Any]) -> None:
    """Declare the words for the codes a field stores that are not its model choices (e.g.
    "acftu-2021" → the rule's Chinese name). `words` may hold lazy translations."""
    _value_words[(object_type, field_name)] = words


def value_words(object_type: str, field_name: str) -> dict[str, str]:
    """Return {stored code: words} for a field: its model choices and any registered words."""
    words: dict[str, str] = {}
    try:
        field = apps.get_model(object_type)._meta.get_field(field_name)
    except (LookupError, ValueError, FieldDoesNotExist):
        field = None
    for value, label in getattr(field, "flatchoices", None) or []:
        words[str(value)] = str(label)
    for value, label in _value_words.get((object_type, field_name), {}).items():
        words[str(value)] = str(label)
    return words


def value_label(object_type: str, field_name: str, value: Any) -> Any:
    """Return the words for a stored code of the field, or the value as it is."""
    if value is None or isinstance(value, bool | list | dict):
        return value
    return value_words(object_type, field_name).get(str(value), value)
