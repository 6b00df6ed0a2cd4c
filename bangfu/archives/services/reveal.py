"""Showing the full value of an archive's personal data: a separate permission, a reason, and
one line in the access log. Nothing else changes."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bangfu.accounts import policy
from bangfu.core.access import access_log_record
from bangfu.core.errors import ValidationError

from ..models import Household
from ..permissions import ArchivesPermission
from ..selectors.browse import Revealed

if TYPE_CHECKING:
    from bangfu.accounts.models import User

# What may be revealed, in the order the form offers it.
REVEALABLE = {
    "id_number": gettext_lazy("户主身份证号"),
    "mobile": gettext_lazy("手机"),
    "bank_card": gettext_lazy("银行卡号"),
    "members.id_number": gettext_lazy("家庭成员身份证号"),
}


def household_reveal(
    *, user: User, household: Household, fields: Iterable[str], purpose: str
) -> Revealed:
    """Return the full values of `fields` of the archive and record the view in the access log.

    Raise PermissionDenied without archives.reveal over the archive, ValidationError when no
    field is chosen, a field is unknown, or the purpose (事由) is missing.
    """
    policy.require_in_scope(
        user,
        ArchivesPermission.REVEAL,
        household.unit,
        message=_("您无权查看该档案的完整信息。"),
    )
    chosen = list(dict.fromkeys(fields))
    if not chosen:
        raise ValidationError(_("请选择要显示的信息。"), field="fields")
    unknown = [name for name in chosen if name not in REVEALABLE]
    if unknown:
        raise ValidationError(
            _("不能显示的信息:%(names)s。") % {"names": "、".join(unknown)}, field="fields"
        )
    with transaction.atomic():
        # Raises ValidationError on `purpose` when the reason is missing; nothing is written.
        access_log_record(user=user, obj=household, fields=chosen, purpose=purpose)
    revealed = Revealed()
    if "id_number" in chosen:
        revealed.id_number = household.id_number
    if "mobile" in chosen:
        revealed.mobile = household.mobile or ""
    if "bank_card" in chosen:
        revealed.bank_card = household.bank_card or ""
    if "members.id_number" in chosen:
        revealed.member_ids = {
            pk: id_number
            for pk, id_number in household.members.values_list("pk", "id_number")
            if id_number
        }
    return revealed


# Masked views are logged too: DOMAIN says every view and export of an archive is logged.
MASKED_VIEW = "masked"


def household_view_log(*, user: User, household: Household, purpose: str) -> None:
    """Record that `user` opened the archive with its personal data masked (`purpose` says how:
    the detail page, the printed form). Full values go through `household_reveal` instead.
    The entry is written in a transaction of its own (access_log_record's; one inside another
    only added a savepoint to every detail page)."""
    access_log_record(user=user, obj=household, fields=[MASKED_VIEW], purpose=purpose)
