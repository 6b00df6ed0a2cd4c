"""The access log: every full view of a sensitive value is written down with its purpose."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models
from django.utils.translation import gettext as _

from .context import client_address
from .errors import ValidationError
from .models import AccessLog


def access_log_record(
    *, user: Any, obj: models.Model, fields: Iterable[str], purpose: str
) -> AccessLog:
    """Record that `user` saw `fields` of `obj` in full, for `purpose`.

    Raise ValidationError when no purpose is given: a full view always needs a reason.
    """
    purpose = (purpose or "").strip()
    if len(purpose) < 2:
        raise ValidationError(_("请填写查看事由。"), field="purpose")
    return AccessLog.objects.create(
        user=user,
        user_name=(getattr(user, "display_name", "") or user.get_username())[:150],
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:255],
        fields=",".join(fields)[:255],
        purpose=purpose[:255],
        client_address=(client_address.get() or "")[:64],
    )
