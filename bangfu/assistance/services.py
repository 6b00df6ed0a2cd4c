"""Writes of assistance: programmes and their rule versions, applications with the facts of their
kind. Each write is one transaction with one audit event."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bangfu.accounts import policy
from bangfu.archives.models import Attachment
from bangfu.archives.models.choices import Category
from bangfu.archives.selectors.access import access_household
from bangfu.archives.selectors.standards import standard_on
from bangfu.core.audit import audit_record
from bangfu.core.errors import Conflict, ValidationError
from bangfu.core.money import format_money, to_money
from bangfu.core.text import clean_text

from . import amounts, selectors
from .audit_actions import AssistanceAction
from .models import (
    Application,
    DuplicatePolicy,
    Kind,
    Programme,
    RuleVersion,
    SchoolKind,
    SchoolLevel,
)
from .permissions import AssistancePermission as P

# The rule fields an administrator sets (each edit makes a new version with all of them).
RULE_FIELDS = (
    "standard_amount",
    "yearly_cap",
    "living_multiple",
    "medical_ratio",
    "university_amount",
    "high_school_amount",
    "duplicates",
    "eligible_categories",
    "required_materials",
    "requires_visit",
    "requires_review",
    "requires_notice",
    "mask_names",
    "one_signoff_limit",
    "county_limit",
    "followup_days",
    "opens_on",
    "closes_on",
)


def _text(value: Any, field: str, message: str, *, required: bool = True) -> str:
    cleaned = clean_text(str(value or "")).strip()
    if required and not cleaned:
        raise ValidationError(message, field=field)
    return cleaned


def _check_rules(values: dict[str, Any]) -> dict[str, Any]:
    """Return the rule values with defaults for what is missing; refuse impossible ones."""
    defaults = {f.name: f.get_default() for f in RuleVersion._meta.fields if f.name in RULE_FIELDS}
    merged = {**defaults, **{k: v for k, v in values.items() if k in RULE_FIELDS}}
    ratio = Decimal(merged["medical_ratio"])
    if not Decimal("0") < ratio <= Decimal("1"):
        raise ValidationError(_("医疗救助比例须大于 0 且不超过 100%。"), field="medical_ratio")
    if Decimal(merged["living_multiple"]) <= 0:
        raise ValidationError(_("生活救助上限倍数须大于 0。"), field="living_multiple")
    if merged["one_signoff_limit"] > merged["county_limit"]:
        raise ValidationError(
            _("一名领导签批上限不能高于报县级审批起点。"), field="one_signoff_limit"
        )
    if merged["opens_on"] and merged["closes_on"] and merged["closes_on"] < merged["opens_on"]:
        raise ValidationError(_("申请截止日期不能早于开始日期。"), field="closes_on")
    categories = list(merged["eligible_categories"] or [])
    if set(categories) - set(Category.values):
        raise ValidationError(_("困难类别不正确。"), field="eligible_categories")
    materials = list(merged["required_materials"] or [])
    if set(materials) - set(Attachment.Kind.values):
        raise ValidationError(_("材料类型不正确。"), field="required_materials")
    merged["eligible_categories"], merged["required_materials"] = categories, materials
    if merged["duplicates"] not in DuplicatePolicy.values:
        raise ValidationError(_("请选择重复申请的处理方式。"), field="duplicates")
    return merged


@transaction.atomic
def programme_create(
    *,
    actor: Any,
    unit: Any,
    kind: str,
    year: int,
    name: str,
    campaign: bool = False,
    budget_line: str = "",
    rules: dict[str, Any] | None = None,
) -> Programme:
    """Create a programme-year with its first rule version."""
    policy.require_in_scope(actor, P.MANAGE_PROGRAMMES, unit)
    name = _text(name, "name", _("请填写项目名称。"))
    if kind not in Kind.values:
        raise ValidationError(_("请选择救助类别。"), field="kind")
    if campaign and kind != Kind.EDUCATION:
        raise ValidationError(_("只有助学项目可以是金秋助学活动。"), field="campaign")
    if Programme.objects.filter(unit=unit, year=year, name=name).exists():
        raise ValidationError(
            _("%(year)s 年已有名为「%(name)s」的项目。") % {"year": year, "name": name},
            field="name",
        )
    values = _check_rules(rules or {})
    programme = Programme.objects.create(
        unit=unit,
        kind=kind,
        year=year,
        name=name,
        campaign=campaign,
        budget_line=_text(budget_line, "budget_line", "", required=False),
        created_by=actor,
    )
    RuleVersion.objects.create(programme=programme, version=1, created_by=actor, **values)
    audit_record(
        actor=actor,
        action=AssistanceAction.PROGRAMME_CREATE,
        obj=programme,
        summary=_("新建救助项目 %(p)s") % {"p": programme},
    )
    return programme


@transaction.atomic
def rule_revise(
    *, actor: Any, programme: Programme, rules: dict[str, Any], note: str
) -> RuleVersion:
    """Make a new rule version of the programme (the versions before stay as they were)."""
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    policy.require_in_scope(actor, P.MANAGE_PROGRAMMES, programme.unit)
    note = _text(note, "note", _("请说明修改的内容和理由。"))
    current = selectors.current_rule(programme)
    before = {f: getattr(current, f) for f in RULE_FIELDS}
    values = _check_rules({**before, **rules})
    if values == before:
        raise ValidationError(_("规则没有任何变化。"))
    rule = RuleVersion.objects.create(
        programme=programme,
        version=current.version + 1,
        created_by=actor,
        note=note,
        **values,
    )
    changed = {k: [str(before[k]), str(values[k])] for k in RULE_FIELDS if before[k] != values[k]}
    audit_record(
        actor=actor,
        action=AssistanceAction.RULE_REVISE,
        obj=rule,
        summary=_("%(p)s 规则第 %(v)s 版:%(note)s")
        % {"p": programme, "v": rule.version, "note": note},
        changes=changed,
    )
    return rule


@dataclass
class ApplicationInput:
    """What a user gives for a new application (the facts of its kind; the rest blank)."""

    programme: Programme
    period_start: date
    period_end: date
    amount: Decimal | None = None
    amount_reason: str = ""
    duplicate_reason: str = ""
    # Living aid.
    cause: str = ""
    expenses: Decimal | None = None
    # Medical aid.
    illness: str = ""
    hospital: str = ""
    bill_items: list[tuple[str, Decimal]] = field(default_factory=list)
    insurance_paid: Decimal | None = None
    other_aid: Decimal | None = None
    self_paid: Decimal | None = None
    # Education aid.
    student_id: int | None = None
    school: str = ""
    school_level: str = ""
    school_year: int | None = None
    tuition: Decimal | None = None
    admission_letter: bool = False
    school_kind: str = ""
    aided_elsewhere: bool = False


def _check_household(household: Any, rule: RuleVersion) -> None:
    if household.status != household.Status.ACTIVE:
        raise ValidationError(
            _("该户档案状态为「%(status)s」,不在档,不能申请救助。")
            % {"status": household.get_status_display()},
            field="household",
        )
    if rule.eligible_categories and household.category not in rule.eligible_categories:
        raise ValidationError(
            _("该户困难类别为「%(category)s」,不在本项目可申请的类别之内。")
            % {"category": household.get_category_display() or _("未认定")},
            field="household",
        )


def _money(value: Any, field: str, label: str, *, required: bool = True) -> Decimal | None:
    if value in (None, ""):
        if required:
            raise ValidationError(_("请填写%(label)s。") % {"label": label}, field=field)
        return None
    amount = to_money(value, field=field, label=label)
    if amount < 0:
        raise ValidationError(_("%(label)s不能为负数。") % {"label": label}, field=field)
    return amount


def _medical(data: ApplicationInput, facts: dict[str, Any]) -> Decimal:
    facts["illness"] = _text(data.illness, "illness", _("请填写疾病名称。"))
    facts["hospital"] = _text(data.hospital, "hospital", _("请填写就诊医院。"))
    if not data.bill_items:
        raise ValidationError(_("请填写至少一项医疗费用。"), field="bill_items")
    items = []
    for n, (what, value) in enumerate(data.bill_items, start=1):
        label = _("第 %(n)s 项费用金额") % {"n": n}
        amount = _money(value, "bill_items", label)
        assert amount is not None
        items.append(
            {
                "item": _text(what, "bill_items", _("请填写第 %(n)s 项费用的名称。") % {"n": n}),
                "amount": str(amount),
            }
        )
    total = sum((Decimal(i["amount"]) for i in items), Decimal("0.00"))
    insurance = _money(data.insurance_paid, "insurance_paid", _("医保报销"))
    other = _money(data.other_aid, "other_aid", _("其他救助"))
    paid = _money(data.self_paid, "self_paid", _("个人自付"))
    assert insurance is not None and other is not None and paid is not None
    if total - insurance - other != paid:
        raise ValidationError(
            _(
                "费用不相符:费用合计 %(total)s 元 − 医保报销 %(insurance)s 元 − 其他救助 "
                "%(other)s 元 = %(expected)s 元,而填写的个人自付为 %(paid)s 元。"
            )
            % {
                "total": format_money(total),
                "insurance": format_money(insurance),
                "other": format_money(other),
                "expected": format_money(total - insurance - other),
                "paid": format_money(paid),
            },
            field="self_paid",
        )
    facts.update(
        bill_items=items,
        bill_total=total,
        insurance_paid=insurance,
        other_aid=other,
        self_paid=paid,
    )
    return paid


def _education(data: ApplicationInput, household: Any, facts: dict[str, Any]) -> str:
    student = household.members.filter(pk=data.student_id).first() if data.student_id else None
    if student is None:
        raise ValidationError(_("学生须是该户登记的家庭成员。"), field="student")
    if data.school_level not in SchoolLevel.values:
        raise ValidationError(_("请选择学段。"), field="school_level")
    school_kind = data.school_kind or SchoolKind.ORDINARY
    if school_kind not in SchoolKind.values:
        raise ValidationError(_("请选择学校性质。"), field="school_kind")
    if data.programme.campaign:
        # DOMAIN: 金秋助学 excludes military academies, free teacher-training places and
        # students already aided elsewhere.
        if school_kind != SchoolKind.ORDINARY:
            raise ValidationError(
                _("%(kind)s的学生不在金秋助学资助范围内。")
                % {"kind": SchoolKind(school_kind).label},
                field="school_kind",
            )
        if data.aided_elsewhere:
            raise ValidationError(
                _("已获其他助学资助的学生不在金秋助学资助范围内。"), field="aided_elsewhere"
            )
    facts.update(
        student=student,
        school=_text(data.school, "school", _("请填写学校。")),
        school_level=data.school_level,
        school_year=data.school_year,
        tuition=_money(data.tuition, "tuition", _("学费"), required=False),
        admission_letter=data.admission_letter,
        school_kind=school_kind,
        aided_elsewhere=data.aided_elsewhere,
    )
    return data.school_level


def _compute(
    data: ApplicationInput, household: Any, rule: RuleVersion, facts: dict[str, Any]
) -> amounts.Computation:
    kind = data.programme.kind
    year = data.programme.year
    if kind in selectors.LIVING_KINDS:
        facts["cause"] = _text(data.cause, "cause", _("请填写困难原因。"))
        facts["expenses"] = _money(data.expenses, "expenses", _("支出金额"), required=False)
        standard = standard_on(household.area, timezone.localdate())
        if standard is None:
            raise ValidationError(
                _("%(area)s 没有在用的低保标准,无法计算生活救助上限。")
                % {"area": household.area.name},
                field="household",
            )
        received = selectors.received_this_year(
            household_id=household.pk, year=year, kinds=selectors.LIVING_KINDS
        )
        computed = amounts.living(
            rule,
            dibao=standard.amount,
            size=1 + household.members.count(),
            expenses=facts["expenses"],
            received=received,
        )
        if received and computed.cap is not None:
            room = max(computed.cap - received, Decimal("0.00"))
            if computed.suggested > room:
                return amounts.Computation(
                    room,
                    room,
                    _("%(w)s;本年已获生活救助 %(r)s 元,尚余 %(room)s 元")
                    % {
                        "w": computed.working,
                        "r": format_money(received),
                        "room": format_money(room),
                    },
                )
            return amounts.Computation(computed.suggested, room, computed.working)
        return computed
    if kind == Kind.MEDICAL:
        paid = _medical(data, facts)
        received = selectors.received_this_year(
            household_id=household.pk, year=year, kinds=(Kind.MEDICAL,)
        )
        return amounts.medical(rule, self_paid=paid, received=received)
    if kind == Kind.EDUCATION:
        return amounts.education(rule, level=_education(data, household, facts))
    received = selectors.received_this_year(household_id=household.pk, year=year, kinds=(kind,))
    return amounts.flat(rule, received=received)


@transaction.atomic
def application_create(*, actor: Any, household_id: Any, data: ApplicationInput) -> Application:
    """Make a draft application for an archive in the actor's scope: check the archive is 在档,
    the facts of the kind, duplicates; compute the suggested amount with its working."""
    household = access_household(
        user=actor, household_id=household_id, perm=P.APPLY, for_update=True
    )
    programme = data.programme
    rule = selectors.current_rule(programme)
    _check_household(household, rule)
    today = timezone.localdate()
    if (rule.opens_on and today < rule.opens_on) or (rule.closes_on and today > rule.closes_on):
        raise ValidationError(
            _("%(programme)s的申请时间为 %(opens)s 至 %(closes)s,现在不能申请。")
            % {
                "programme": programme.name,
                "opens": rule.opens_on.isoformat() if rule.opens_on else "—",
                "closes": rule.closes_on.isoformat() if rule.closes_on else "—",
            },
            field="programme",
        )
    if data.period_end < data.period_start:
        raise ValidationError(_("救助期间的结束日期不能早于开始日期。"), field="period_end")
    if data.period_start.year != programme.year:
        raise ValidationError(
            _("救助期间须始于项目年度 %(year)s 年。") % {"year": programme.year},
            field="period_start",
        )
    facts: dict[str, Any] = {}
    computed = _compute(data, household, rule, facts)
    if computed.suggested <= 0:
        raise ValidationError(
            _("该户本年%(kind)s已达上限(%(working)s),不能再申请。")
            % {"kind": Kind(programme.kind).label, "working": computed.working},
            field="amount",
        )
    amount = computed.suggested
    reason = _text(data.amount_reason, "amount_reason", "", required=False)
    if data.amount is not None and data.amount != computed.suggested:
        amount = to_money(data.amount, field="amount", label=_("申请金额"))
        if amount <= 0:
            raise ValidationError(_("申请金额须大于 0。"), field="amount")
        if computed.cap is not None and amount > computed.cap:
            raise ValidationError(
                _("申请金额 %(amount)s 元超过上限 %(cap)s 元。")
                % {"amount": format_money(amount), "cap": format_money(computed.cap)},
                field="amount",
            )
        if not reason:
            raise ValidationError(_("申请金额与建议金额不同,请说明理由。"), field="amount_reason")
    earlier = selectors.duplicate_of(
        household_id=household.pk,
        kind=programme.kind,
        start=data.period_start,
        end=data.period_end,
        student_id=facts["student"].pk if "student" in facts else None,
    )
    if earlier is not None and rule.duplicates == DuplicatePolicy.REFUSE:
        raise ValidationError(
            _("该户在同一期间已有%(kind)s申请(%(programme)s,%(status)s),不能重复申请。")
            % {
                "kind": Kind(programme.kind).label,
                "programme": earlier.programme.name,
                "status": earlier.get_status_display(),
            },
            field="period_start",
        )
    application = Application.objects.create(
        programme=programme,
        rule=rule,
        household=household,
        unit=household.unit,
        kind=programme.kind,
        year=programme.year,
        period_start=data.period_start,
        period_end=data.period_end,
        suggested_amount=computed.suggested,
        cap=computed.cap,
        working=computed.working,
        amount=amount,
        amount_reason=reason,
        duplicate_of=earlier,
        created_by=actor,
        **facts,
    )
    audit_record(
        actor=actor,
        action=AssistanceAction.APPLICATION_CREATE,
        obj=application,
        summary=_("%(household)s 申请%(programme)s %(amount)s 元")
        % {
            "household": household.name,
            "programme": programme.name,
            "amount": format_money(amount),
        },
    )
    return application


# --- follow-up (回访) ---------------------------------------------------------------------------


@transaction.atomic
def followup_schedule(*, application: Application, paid_on: date, actor: Any = None) -> Any:
    """Schedule the follow-up of an application paid (or handed over, for aid in kind) on
    `paid_on`: due the programme rule's number of days later. Called by the funds context after
    payment; a second call for the same application changes nothing and returns the first."""
    from .models import FollowUp

    application = (
        Application.objects.select_for_update().select_related("rule").get(pk=application.pk)
    )
    if application.status != Application.Status.APPROVED:
        raise Conflict(
            _("只有已批准的救助才能安排回访(当前状态:%(status)s)。")
            % {"status": application.get_status_display()}
        )
    existing = FollowUp.objects.filter(application=application).first()
    if existing is not None:
        return existing
    days = application.rule.followup_days
    followup = FollowUp.objects.create(
        application=application,
        unit_id=application.unit_id,
        paid_on=paid_on,
        due_on=paid_on + timedelta(days=days),
        rule=_("发放后 %(days)s 天内回访") % {"days": days},
    )
    audit_record(
        actor=actor,
        action=AssistanceAction.FOLLOWUP_SCHEDULE,
        obj=followup,
        summary=_("安排回访,期限 %(due)s") % {"due": followup.due_on.isoformat()},
    )
    return followup


@transaction.atomic
def followup_record(
    *, actor: Any, followup_id: Any, done_on: date, outcome: str, notes: str
) -> Any:
    """Record the follow-up's outcome (once)."""
    from .models import FollowUp

    followup = policy.scoped_get(
        FollowUp.objects.select_for_update().filter(
            policy.scope_q(actor, P.INVESTIGATE, field="unit")
        ),
        followup_id,
        message=_("未找到该回访。"),
    )
    if followup.done_on is not None:
        raise Conflict(_("该回访已于 %(day)s 记录。") % {"day": followup.done_on.isoformat()})
    errors: dict[str, str] = {}
    if done_on > timezone.localdate():
        errors["done_on"] = _("回访日期不能晚于今天。")
    elif done_on < followup.paid_on:
        errors["done_on"] = _("回访日期不能早于发放日期 %(day)s。") % {
            "day": followup.paid_on.isoformat()
        }
    if outcome not in FollowUp.Outcome.values:
        errors["outcome"] = _("请选择回访结果。")
    notes = clean_text(notes or "").strip()
    if not notes:
        errors["notes"] = _("请填写回访情况。")
    if errors:
        raise ValidationError(next(iter(errors.values())), errors=errors)
    followup.done_on, followup.outcome, followup.notes, followup.done_by = (
        done_on,
        outcome,
        notes,
        actor,
    )
    followup.save()
    audit_record(
        actor=actor,
        action=AssistanceAction.FOLLOWUP_RECORD,
        obj=followup,
        summary=_("回访:%(outcome)s") % {"outcome": followup.get_outcome_display()},
    )
    return followup
