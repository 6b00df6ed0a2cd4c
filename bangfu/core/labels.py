"""Chinese names of what the audit trail records: object types (models) and their fields."""

from __future__ import annotations

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist


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
