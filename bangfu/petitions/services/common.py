"""What every petitions service shares: the permission and visibility check, the row lock,
clean text and dates, meeting a limit."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from bangfu.accounts import policy
from bangfu.core.errors import NotFound, PermissionDenied, ValidationError
from bangfu.core.text import clean_text

from ..models import Deadline, Petition
from ..selectors.access import NOT_FOUND, visible_to


def check(actor: Any, perm: str, petition: Petition, *, message: str | None = None) -> None:
    """Raise NotFound when the actor may not see the petition at all (outside every scope,
    restricted, or about the actor), PermissionDenied when the actor lacks `perm` over it."""
    if not visible_to(actor, petition):
        raise NotFound(str(NOT_FOUND))
    if not policy.unit_in_scope(actor, perm, petition.unit):
        raise PermissionDenied(message or _("您没有执行此操作的权限。"))


def lock(petition: Petition) -> Petition:
    """Return the petition's row locked for the rest of the transaction, as it now is."""
    return Petition.objects.select_for_update().select_related("unit", "centre").get(pk=petition.pk)


def text(value: Any, field: str, message: str, *, required: bool = True) -> str:
    cleaned = clean_text(str(value or "")).strip()
    if required and not cleaned:
        raise ValidationError(message, field=field)
    return cleaned


def day(value: date | None, field: str, *, not_before: date | None = None) -> date:
    """Return the date given (today when None); refuse a date in the future or before
    `not_before` (the petition's previous step)."""
    today = timezone.localdate()
    value = value or today
    if value > today:
        raise ValidationError(_("日期不能晚于今天。"), field=field)
    if not_before is not None and value < not_before:
        raise ValidationError(
            _("日期不能早于 %(date)s(上一环节的日期)。") % {"date": not_before.isoformat()},
            field=field,
        )
    return value


def meet(petition: Petition, stage: str, on: date) -> Deadline | None:
    """Mark the petition's limit of `stage` met on `on`; return it (None when it has none)."""
    deadline = Deadline.objects.filter(petition=petition, stage=stage, met_on__isnull=True).first()
    if deadline is not None:
        deadline.met_on = on
        deadline.save(update_fields=["met_on"])
    return deadline
