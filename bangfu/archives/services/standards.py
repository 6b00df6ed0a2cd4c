"""Writes of the standards tables: areas, 低保 standards and minimum wages (system admin).

A standard or wage row is never edited: a change is a new row with a later effective date, so
every determination keeps naming the figure it used. A row entered by mistake may be deleted
as long as no determination used it. Saving a new 低保 standard starts a background job that
re-evaluates every open archive of the area without changing any (see `tasks.py`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from bangfu.accounts import policy
from bangfu.core.audit import audit_record, diff, snapshot
from bangfu.core.errors import Conflict, ValidationError
from bangfu.core.jobs import job_start
from bangfu.core.money import to_money

from ..audit_actions import ArchivesAction
from ..models import Area, DibaoStandard, MinimumWage, Reevaluation
from ..models.choices import AreaKind
from ..permissions import ArchivesPermission
from ..selectors.standards import minimum_wage_is_used, standard_is_used
from .dynamic import recovery_runs_refresh_area

if TYPE_CHECKING:
    from bangfu.accounts.models import User

AREA_FIELDS = ("code", "name", "kind")
FIGURE_FIELDS = ("area", "amount", "effective_from", "document")
# Monthly amounts above this are a typing mistake (an annual figure, an extra zero).
MAX_MONTHLY_AMOUNT = Decimal("100000.00")
FIRST_YEAR, LAST_YEAR = 1990, 2099
REEVALUATION_KIND = "archives.reevaluate"


# --- areas --------------------------------------------------------------------------------


@transaction.atomic
def area_create(*, actor: User, code: str, name: str, kind: str) -> Area:
    """Add an area with its own standards. Raise ValidationError naming the field."""
    policy.require_perm(actor, ArchivesPermission.MANAGE_STANDARDS)
    code = (code or "").strip()
    name = (name or "").strip()
    errors: dict[str, str] = {}
    if not code:
        errors["code"] = _("请填写行政区划代码。")
    elif not re.fullmatch(r"\d{6}(\d{3}|\d{6})?", code):
        errors["code"] = _("行政区划代码应为 6 位、9 位或 12 位数字,如 430302。")
    elif Area.objects.filter(code=code).exists():
        errors["code"] = _("行政区划代码 %(code)s 已经录入。") % {"code": code}
    if not name:
        errors["name"] = _("请填写地区名称。")
    elif len(name) > 50:
        errors["name"] = _("地区名称不能超过 50 个字。")
    if kind not in AreaKind.values:
        errors["kind"] = _("请选择地区类别。")
    if errors:
        raise ValidationError(next(iter(errors.values())), errors=errors)
    try:
        with transaction.atomic():
            area = Area.objects.create(code=code, name=name, kind=kind)
    except IntegrityError:
        raise ValidationError(
            _("行政区划代码 %(code)s 已经录入。") % {"code": code}, field="code"
        ) from None
    audit_record(
        actor=actor,
        action=ArchivesAction.AREA_CREATE,
        obj=area,
        summary=_("新增低保标准地区"),
        changes=diff({}, snapshot(area, AREA_FIELDS)),
    )
    return area


# --- 低保 standards and minimum wages -----------------------------------------------------


def _clean_figure(
    *, amount: Any, effective_from: date | None, document: str, label: str
) -> tuple[Decimal, date, str]:
    errors: dict[str, str] = {}
    value = Decimal("0")
    try:
        value = to_money(amount, field="amount", label=label)
    except ValidationError as exc:
        errors.update(exc.errors)
    else:
        if value <= 0:
            errors["amount"] = _("%(label)s必须大于 0。") % {"label": label}
        elif value > MAX_MONTHLY_AMOUNT:
            errors["amount"] = _("%(label)s是每人每月的金额,不能超过 %(max)s 元。") % {
                "label": label,
                "max": f"{MAX_MONTHLY_AMOUNT:,.2f}",
            }
    if effective_from is None:
        errors["effective_from"] = _("请填写执行日期。")
    elif not FIRST_YEAR <= effective_from.year <= LAST_YEAR:
        errors["effective_from"] = _("执行日期超出范围:只能录入 %(first)s 至 %(last)s 年。") % {
            "first": FIRST_YEAR,
            "last": LAST_YEAR,
        }
    document = (document or "").strip()
    if len(document) > 200:
        errors["document"] = _("依据文件不能超过 200 个字。")
    if errors:
        raise ValidationError(next(iter(errors.values())), errors=errors)
    assert effective_from is not None
    return value, effective_from, document


def _taken(model: type[DibaoStandard] | type[MinimumWage], area: Area, day: date) -> str | None:
    row = model.objects.filter(area=area, effective_from=day).first()
    if row is None:
        return None
    return _(
        "“%(area)s”%(day)s 起执行的标准已经录入(%(amount)s 元)。"
        "标准录入后不能修改;如录入有误且尚未使用,请先删除再录入。"
    ) % {"area": area.name, "day": day.isoformat(), "amount": row.amount}


@dataclass(frozen=True)
class SavedStandard:
    standard: DibaoStandard
    reevaluation: Reevaluation | None


def dibao_standard_create(
    *, actor: User, area: Area, amount: Any, effective_from: date | None, document: str = ""
) -> SavedStandard:
    """Add a 低保 standard for `area` from `effective_from` on.

    When it is the area's latest standard, start a re-evaluation job over the area's open
    archives (after commit); a standard entered for an earlier date is history and starts none.
    Raise ValidationError naming the field on bad input or a date already taken.
    """
    policy.require_perm(actor, ArchivesPermission.MANAGE_STANDARDS)
    value, day, document = _clean_figure(
        amount=amount, effective_from=effective_from, document=document, label=_("低保标准")
    )
    taken = _taken(DibaoStandard, area, day)
    if taken:
        raise ValidationError(taken, field="effective_from")
    with transaction.atomic():
        try:
            with transaction.atomic():
                standard = DibaoStandard.objects.create(
                    area=area,
                    amount=value,
                    effective_from=day,
                    document=document,
                    created_by=actor,
                )
        except IntegrityError:
            raise ValidationError(
                _taken(DibaoStandard, area, day) or _("该执行日期已有标准。"),
                field="effective_from",
            ) from None
        # The months from this day on are measured against the new standard: the 脱困 runs
        # of the area's archives with incomes in those months are worked out again.
        recovery_runs_refresh_area(area.pk, day)
        reevaluation = None
        latest = not DibaoStandard.objects.filter(area=area, effective_from__gt=day).exists()
        if latest:
            reevaluation = Reevaluation.objects.create(standard=standard, started_by=actor)
            from ..tasks import reevaluate_area

            job = job_start(
                user=actor,
                kind=REEVALUATION_KIND,
                title=_("低保标准调整后重新评估:%(area)s %(amount)s 元")
                % {"area": area.name, "amount": value},
                task=reevaluate_area,
                reevaluation_id=reevaluation.pk,
            )
            reevaluation.job = job
            reevaluation.save(update_fields=["job", "updated_at"])
        audit_record(
            actor=actor,
            action=ArchivesAction.DIBAO_STANDARD_CREATE,
            obj=standard,
            summary=_("录入低保标准"),
            changes={
                **diff({}, snapshot(standard, FIGURE_FIELDS)),
                "reevaluation": [None, reevaluation.pk if reevaluation else None],
            },
        )
    return SavedStandard(standard=standard, reevaluation=reevaluation)


@transaction.atomic
def minimum_wage_create(
    *, actor: User, area: Area, amount: Any, effective_from: date | None, document: str = ""
) -> MinimumWage:
    """Add a monthly minimum wage for `area` from `effective_from` on."""
    policy.require_perm(actor, ArchivesPermission.MANAGE_STANDARDS)
    value, day, document = _clean_figure(
        amount=amount, effective_from=effective_from, document=document, label=_("最低工资标准")
    )
    taken = _taken(MinimumWage, area, day)
    if taken:
        raise ValidationError(taken, field="effective_from")
    try:
        with transaction.atomic():
            wage = MinimumWage.objects.create(
                area=area, amount=value, effective_from=day, document=document, created_by=actor
            )
    except IntegrityError:
        raise ValidationError(
            _taken(MinimumWage, area, day) or _("该执行日期已有标准。"), field="effective_from"
        ) from None
    audit_record(
        actor=actor,
        action=ArchivesAction.MINIMUM_WAGE_CREATE,
        obj=wage,
        summary=_("录入最低工资标准"),
        changes=diff({}, snapshot(wage, FIGURE_FIELDS)),
    )
    return wage


@transaction.atomic
def dibao_standard_delete(*, actor: User, standard: DibaoStandard) -> None:
    """Delete a standard entered by mistake, with its re-evaluation lists.

    Raise Conflict once a determination used it (the file must keep naming it).
    """
    policy.require_perm(actor, ArchivesPermission.MANAGE_STANDARDS)
    standard = DibaoStandard.objects.select_for_update().select_related("area").get(pk=standard.pk)
    if standard_is_used(standard):
        raise Conflict(
            _("该低保标准已用于类别认定,不能删除。标准有变化时请录入新的标准(新的执行日期)。")
        )
    reevaluations = list(
        Reevaluation.objects.filter(standard=standard).values_list("pk", flat=True)
    )
    before = snapshot(standard, FIGURE_FIELDS)
    audit_record(
        actor=actor,
        action=ArchivesAction.DIBAO_STANDARD_DELETE,
        obj=standard,
        summary=_("删除误录的低保标准"),
        changes={**diff(before, {}), "reevaluations": [reevaluations, None]},
    )
    Reevaluation.objects.filter(pk__in=reevaluations).delete()
    standard.delete()
    recovery_runs_refresh_area(standard.area_id, standard.effective_from)


@transaction.atomic
def minimum_wage_delete(*, actor: User, wage: MinimumWage) -> None:
    """Delete a minimum wage entered by mistake. Raise Conflict once a determination used it."""
    policy.require_perm(actor, ArchivesPermission.MANAGE_STANDARDS)
    wage = MinimumWage.objects.select_for_update().select_related("area").get(pk=wage.pk)
    if minimum_wage_is_used(wage):
        raise Conflict(
            _("该最低工资标准已用于类别认定,不能删除。标准有变化时请录入新的标准(新的执行日期)。")
        )
    audit_record(
        actor=actor,
        action=ArchivesAction.MINIMUM_WAGE_DELETE,
        obj=wage,
        summary=_("删除误录的最低工资标准"),
        changes=diff(snapshot(wage, FIGURE_FIELDS), {}),
    )
    wage.delete()
