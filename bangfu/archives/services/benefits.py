"""Writes of policy benefits (应保尽保): the benefit types (system admin) and the benefits each
household receives, with dates (archives.file, within scope)."""

from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from pypinyin import Style, lazy_pinyin

from bangfu.accounts import policy
from bangfu.core.audit import audit_record, diff, snapshot
from bangfu.core.errors import Conflict, ValidationError

from ..audit_actions import ArchivesAction
from ..models import BenefitType, HouseholdBenefit
from ..permissions import ArchivesPermission
from ..selectors.access import access_household
from ..selectors.benefits import access_household_benefit, current_q

if TYPE_CHECKING:
    from bangfu.accounts.models import User

TYPE_FIELDS = ("code", "name", "is_dibao", "active", "sort_order")
BENEFIT_FIELDS = ("benefit", "started_on", "ended_on", "note")


def _raise(errors: dict[str, str]) -> None:
    if errors:
        raise ValidationError(next(iter(errors.values())), errors=errors)


def _clean_type(*, name: str, sort_order: int | None) -> tuple[str, int, dict[str, str]]:
    errors: dict[str, str] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = _("请填写待遇名称。")
    elif len(name) > 50:
        errors["name"] = _("待遇名称不能超过 50 个字。")
    order = sort_order or 0
    if not 0 <= order <= 32767:
        errors["sort_order"] = _("排序应为 0 至 32767 的整数。")
    return name, order, errors


@transaction.atomic
def _code_for(name: str) -> str:
    """Make a benefit type's code from its name when the user gave none: the pinyin, letters
    and digits only (取暖补贴 → qunuanbutie), with _2, _3 … when that code is taken."""
    words = lazy_pinyin(name, style=Style.NORMAL, errors="default")
    base = re.sub(r"[^a-z0-9]", "", "".join(words).lower())[:28] or "benefit"
    if not base[0].isalpha():
        base = f"b{base}"[:28]
    code, n = base, 1
    while BenefitType.objects.filter(code=code).exists():
        n += 1
        code = f"{base}_{n}"
    return code


def benefit_type_create(
    *, actor: User, code: str, name: str, is_dibao: bool = False, sort_order: int | None = 0
) -> BenefitType:
    """Add a benefit type. Raise ValidationError naming the field."""
    policy.require_perm(actor, ArchivesPermission.MANAGE_STANDARDS)
    code = (code or "").strip().lower()
    name, order, errors = _clean_type(name=name, sort_order=sort_order)
    if not code and name:
        code = _code_for(name)
    if not code:
        errors.setdefault("name", _("请填写待遇名称。"))
    elif not re.fullmatch(r"[a-z][a-z0-9_]{0,31}", code):
        errors["code"] = _("代码只能用小写字母、数字和下划线,以字母开头,不超过 32 位。")
    elif BenefitType.objects.filter(code=code).exists():
        errors["code"] = _("代码“%(code)s”已被使用。") % {"code": code}
    _raise(errors)
    try:
        with transaction.atomic():
            benefit = BenefitType.objects.create(
                code=code, name=name, is_dibao=bool(is_dibao), sort_order=order
            )
    except IntegrityError:
        raise ValidationError(
            _("代码“%(code)s”已被使用。") % {"code": code}, field="code"
        ) from None
    audit_record(
        actor=actor,
        action=ArchivesAction.BENEFIT_TYPE_CREATE,
        obj=benefit,
        summary=_("新增政策待遇类型"),
        changes=diff({}, snapshot(benefit, TYPE_FIELDS)),
    )
    return benefit


@transaction.atomic
def benefit_type_update(
    *,
    actor: User,
    benefit_type_id: Any,
    name: str,
    is_dibao: bool,
    active: bool,
    sort_order: int | None,
) -> BenefitType:
    """Change a benefit type's name, order, whether it is 低保, or switch it off (a type in use
    is never deleted: switched off, it is no longer offered for new records)."""
    policy.require_perm(actor, ArchivesPermission.MANAGE_STANDARDS)
    benefit = policy.scoped_get(
        BenefitType.objects.select_for_update(), benefit_type_id, message=_("未找到该待遇类型。")
    )
    name, order, errors = _clean_type(name=name, sort_order=sort_order)
    _raise(errors)
    before = snapshot(benefit, TYPE_FIELDS)
    benefit.name, benefit.is_dibao, benefit.active, benefit.sort_order = (
        name,
        bool(is_dibao),
        bool(active),
        order,
    )
    benefit.save()
    changes = diff(before, snapshot(benefit, TYPE_FIELDS))
    if changes:
        audit_record(
            actor=actor,
            action=ArchivesAction.BENEFIT_TYPE_UPDATE,
            obj=benefit,
            summary=_("修改政策待遇类型"),
            changes=changes,
        )
    return benefit


def _benefit_changes(row: HouseholdBenefit, before: dict[str, Any] | None) -> dict[str, Any]:
    return {
        "household_benefit": [None if before is None else row.pk, row.pk],
        **diff(before, snapshot(row, BENEFIT_FIELDS)),
    }


@transaction.atomic
def household_benefit_add(
    *,
    actor: User,
    household_id: Any,
    benefit_type_id: Any,
    started_on: date | None,
    note: str = "",
) -> HouseholdBenefit:
    """Record that the household receives a benefit from `started_on`.

    Raise NotFound outside the actor's scope for filing; Conflict for a closed archive;
    ValidationError naming the field for a missing or switched-off type, a start date in the
    future, or the same benefit already current.
    """
    household = access_household(
        user=actor, household_id=household_id, perm=ArchivesPermission.FILE, for_update=True
    )
    if not household.is_open:
        raise Conflict(_("该档案已撤档或不予建档,不能登记政策待遇。"))
    errors: dict[str, str] = {}
    benefit = None
    try:
        benefit = BenefitType.objects.get(pk=int(benefit_type_id), active=True)
    except (BenefitType.DoesNotExist, ValueError, TypeError):
        errors["benefit"] = _("请选择享受的政策待遇。")
    today = timezone.localdate()
    if started_on is None:
        errors["started_on"] = _("请填写开始日期。")
    elif started_on > today:
        errors["started_on"] = _("开始日期不能晚于今天。")
    note = (note or "").strip()
    if len(note) > 200:
        errors["note"] = _("说明不能超过 200 个字。")
    if benefit is not None and "started_on" not in errors:
        current = HouseholdBenefit.objects.filter(
            current_q(today), household=household, benefit=benefit
        )
        if current.exists():
            errors["benefit"] = _("该户正在享受“%(name)s”,请先登记结束再重新登记。") % {
                "name": benefit.name
            }
    _raise(errors)
    assert benefit is not None and started_on is not None
    row = HouseholdBenefit.objects.create(
        household=household, benefit=benefit, started_on=started_on, note=note
    )
    audit_record(
        actor=actor,
        action=ArchivesAction.BENEFIT_ADD,
        obj=household,
        summary=_("登记享受政策待遇:%(name)s") % {"name": benefit.name},
        changes=_benefit_changes(row, None),
    )
    return row


@transaction.atomic
def household_benefit_end(
    *, actor: User, benefit_id: Any, ended_on: date | None
) -> HouseholdBenefit:
    """Record the day a benefit ended. Raise NotFound outside the actor's scope for filing,
    Conflict when it already ended, ValidationError for an end before the start."""
    row = access_household_benefit(user=actor, benefit_id=benefit_id, for_update=True)
    household = row.household
    if row.ended_on is not None:
        raise Conflict(
            _("“%(name)s”已于 %(day)s 结束。")
            % {"name": row.benefit.name, "day": row.ended_on.isoformat()}
        )
    if ended_on is None:
        raise ValidationError(_("请填写结束日期。"), field="ended_on")
    if ended_on < row.started_on:
        raise ValidationError(
            _("结束日期不能早于开始日期 %(day)s。") % {"day": row.started_on.isoformat()},
            field="ended_on",
        )
    before = snapshot(row, BENEFIT_FIELDS)
    row.ended_on = ended_on
    row.save(update_fields=["ended_on", "updated_at"])
    audit_record(
        actor=actor,
        action=ArchivesAction.BENEFIT_END,
        obj=household,
        summary=_("登记政策待遇结束:%(name)s") % {"name": row.benefit.name},
        changes=_benefit_changes(row, before),
    )
    return row
