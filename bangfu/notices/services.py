"""Writes of public notices. Each is one transaction with its audit event.

The rule of the notice period: a notice posted on `starts_on` stays up for at least N full
working days. The posting day itself never counts (it is rarely a full day), so the first day
counted is the next working day after `starts_on` and the notice ends at the close of the Nth
working day after `starts_on` (`ends_on`). It has ended once that day has passed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bangfu.accounts import policy
from bangfu.core.audit import audit_record
from bangfu.core.errors import Conflict, ValidationError
from bangfu.core.masking import mask_text
from bangfu.core.money import to_money
from bangfu.core.text import clean_text, to_halfwidth

from . import period
from .audit_actions import NoticesAction
from .models import Notice, NoticeItem, Objection
from .permissions import NoticesPermission

if TYPE_CHECKING:
    from bangfu.accounts.models import User

MANAGE = NoticesPermission.MANAGE
DEFAULT_WORKING_DAYS = period.DEFAULT_WORKING_DAYS

# Runs of digits that are never a name, a unit or a category: an ID number (15 or 18
# characters, the last may be X) or a bank card (12–19 digits): any run of 12 or more digits,
# which may be split by single spaces or hyphens, as people type them.
_DIGIT_RUN = re.compile(r"\d(?:[ \-]?\d){11,}")

ITEM_TEXT_FIELDS = ("person_name", "unit_name", "category", "aid_kind")


@dataclass
class NoticeItemInput:
    """One subject of a notice with what may be shown about it: never an ID number, a bank
    account, a diagnosis or a child (DOMAIN.md, "Personal information")."""

    subject: models.Model
    person_name: str
    unit_name: str
    category: str = ""
    aid_kind: str = ""
    amount: Decimal | None = None


def notice_working_days() -> int:
    """Return how many full working days a notice stays up (BANGFU_NOTICE_WORKING_DAYS)."""
    return period.notice_working_days()


def contains_id_or_card(text: str) -> bool:
    """Return whether `text` holds something that looks like an ID number or a bank card."""
    return bool(_DIGIT_RUN.search(to_halfwidth(text or "")))


def redact_numbers(text: str) -> str:
    """Return `text` with anything that looks like an ID number or a bank card blanked out:
    the last guard of what is printed, should such a value ever reach a stored notice."""
    return _DIGIT_RUN.sub("********", to_halfwidth(text or ""))


def _item_labels() -> dict[str, str]:
    return {
        "person_name": _("姓名"),
        "unit_name": _("单位"),
        "category": _("困难类别"),
        "aid_kind": _("帮扶项目"),
    }


def _sensitive_error(field: str, label: str, row: int | None) -> ValidationError:
    if row is None:
        message = _("“%(label)s”中含有疑似身份证号或银行卡号的数字,公示不得公开。") % {
            "label": label
        }
    else:
        message = _(
            "第 %(row)d 项的“%(label)s”中含有疑似身份证号或银行卡号的数字,公示不得公开。"
        ) % {"row": row, "label": label}
    return ValidationError(message, field=field)


def _check_display_text(*, title: str, body: str, items: list[dict[str, Any]]) -> None:
    """Raise ValidationError when any shown text holds an ID or bank-card number."""
    if contains_id_or_card(title):
        raise _sensitive_error("title", _("标题"), None)
    if contains_id_or_card(body):
        raise _sensitive_error("body", _("公示说明"), None)
    labels = _item_labels()
    for row, values in enumerate(items, start=1):
        for name in ITEM_TEXT_FIELDS:
            if contains_id_or_card(values.get(name) or ""):
                raise _sensitive_error("items", labels[name], row)


def _lock_notice(actor: User, notice: Notice) -> Notice:
    """Return the notice read again within the actor's MANAGE scope under a row lock
    (PostgreSQL), so that two people acting on it at once act one after the other, each on the
    state the other left. Raise PermissionDenied without the permission anywhere, NotFound
    when the notice lies outside the scope (the same words as for one that does not exist)."""
    policy.require_perm(actor, MANAGE)
    notices = Notice.objects.filter(policy.scope_q(actor, MANAGE, field="unit"))
    return policy.scoped_get(
        notices.select_for_update(of=("self",)).select_related("unit"),
        notice.pk,
        message=_("未找到该公示。"),
    )


def _copy_state(target: models.Model, source: models.Model) -> None:
    """Give the caller's instance the state written through the locked copy, so that the
    object the caller holds does not go stale."""
    if target is source:
        return
    for field in source._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))


def _open_statuses() -> list[str]:
    return [Notice.Status.DRAFT, Notice.Status.PUBLISHED]


@transaction.atomic
def notice_create(
    *,
    actor: User,
    unit: Any,
    kind: str,
    title: str,
    body: str,
    items: list[NoticeItemInput],
) -> Notice:
    """Create a draft notice of `unit` listing `items`.

    The caller decides what each item shows and that its subjects belong in `unit`'s notice.
    Raise ValidationError naming the field on bad input (including an ID or bank number in any
    text shown), and Conflict when a subject already has a draft or published notice of the
    same kind.
    """
    policy.require_perm(actor, MANAGE)
    policy.require_unit_choice(actor, MANAGE, unit, message=_("发布单位不在您的管理范围内。"))
    title = clean_text(title)
    body = (body or "").strip()
    errors: dict[str, str] = {}
    if kind not in Notice.Kind.values:
        errors["kind"] = _("请选择公示类别。")
    if not title:
        errors["title"] = _("请填写标题。")
    elif len(title) > 200:
        errors["title"] = _("标题不能超过 200 个字。")
    if not items:
        errors["items"] = _("公示至少要有一个公示对象。")
    if errors:
        raise ValidationError(next(iter(errors.values())), errors=errors)

    rows: list[dict[str, Any]] = []
    seen: set[tuple[int, int]] = set()
    for row, item in enumerate(items, start=1):
        subject = item.subject
        if subject is None or subject.pk is None:
            raise ValidationError(_("第 %(row)d 项没有公示对象。") % {"row": row}, field="items")
        content_type = ContentType.objects.get_for_model(subject)
        key = (content_type.pk, int(subject.pk))
        if key in seen:
            raise ValidationError(
                _("第 %(row)d 项与前面的公示对象重复。") % {"row": row}, field="items"
            )
        seen.add(key)
        values = {
            "person_name": clean_text(item.person_name),
            "unit_name": clean_text(item.unit_name),
            "category": clean_text(item.category),
            "aid_kind": clean_text(item.aid_kind),
        }
        if not values["person_name"]:
            raise ValidationError(_("第 %(row)d 项请填写姓名。") % {"row": row}, field="items")
        for name, limit in (("person_name", 50), ("unit_name", 200), ("category", 50)):
            if len(values[name]) > limit:
                raise ValidationError(
                    _("第 %(row)d 项的“%(label)s”不能超过 %(limit)d 个字。")
                    % {"row": row, "label": _item_labels()[name], "limit": limit},
                    field="items",
                )
        if len(values["aid_kind"]) > 50:
            raise ValidationError(
                _("第 %(row)d 项的“%(label)s”不能超过 %(limit)d 个字。")
                % {"row": row, "label": _item_labels()["aid_kind"], "limit": 50},
                field="items",
            )
        amount = None
        if item.amount is not None:
            amount = to_money(item.amount, field="items", label=_("金额"))
            if amount < 0:
                raise ValidationError(
                    _("第 %(row)d 项的金额不能为负数。") % {"row": row}, field="items"
                )
        rows.append({**values, "amount": amount, "content_type": content_type, "subject": subject})
    _check_display_text(title=title, body=body, items=rows)

    # Lock the subjects (PostgreSQL), so that two notices for one subject cannot be made at
    # once; then look for open notices of all of them with one query per kind of subject.
    by_type: dict[ContentType, list[int]] = {}
    for row_values in rows:
        by_type.setdefault(row_values["content_type"], []).append(row_values["subject"].pk)
    taken = models.Q(pk__in=[])
    for content_type, ids in by_type.items():
        model = content_type.model_class()
        if model is not None:
            list(model._default_manager.select_for_update().filter(pk__in=ids).values_list("pk"))
        taken |= models.Q(subject_type=content_type, subject_id__in=ids)
    # A published notice whose last day has passed has ended, whether or not `end_notices` has
    # run yet: its subjects are free for a new notice (after a return for correction, say).
    other = (
        NoticeItem.objects.filter(taken, notice__kind=kind, notice__status__in=_open_statuses())
        .exclude(notice__status=Notice.Status.PUBLISHED, notice__ends_on__lt=timezone.localdate())
        .select_related("notice")
        .order_by("pk")
        .first()
    )
    if other is not None:
        raise Conflict(
            _("“%(name)s”已在公示“%(title)s”(%(status)s)中,不能再列入同类公示。")
            % {
                "name": other.person_name,
                "title": other.notice.title,
                "status": other.notice.get_status_display(),
            }
        )

    notice = Notice.objects.create(
        unit=unit, kind=kind, title=title, body=body, status=Notice.Status.DRAFT, created_by=actor
    )
    NoticeItem.objects.bulk_create(
        NoticeItem(
            notice=notice,
            subject_type=row_values["content_type"],
            subject_id=row_values["subject"].pk,
            person_name=row_values["person_name"],
            unit_name=row_values["unit_name"],
            category=row_values["category"],
            aid_kind=row_values["aid_kind"],
            amount=row_values["amount"],
            sort_order=index,
        )
        for index, row_values in enumerate(rows, start=1)
    )
    audit_record(
        actor=actor,
        action=NoticesAction.NOTICE_CREATE,
        obj=notice,
        summary=_("新建公示(%(count)d 项)") % {"count": len(rows)},
        changes={
            "kind": [None, kind],
            "unit_id": [None, unit.pk],
            "items": [None, len(rows)],
        },
    )
    return notice


@transaction.atomic
def notice_publish(*, actor: User, notice: Notice, starts_on: date | None = None) -> Notice:
    """Publish a draft notice from `starts_on` (today when not given; never a past day).

    Set `ends_on` to the Nth working day after `starts_on` (N = BANGFU_NOTICE_WORKING_DAYS),
    so the notice stays up at least N full working days, holidays and make-up days included.
    Raise Conflict unless the notice is a draft; ValidationError for a past date or for an
    ID or bank number in any text shown (checked again here, whoever made the draft).
    """
    original, notice = notice, _lock_notice(actor, notice)
    if notice.status != Notice.Status.DRAFT:
        raise Conflict(
            _("只有草稿可以发布;该公示的状态是“%(status)s”。")
            % {"status": notice.get_status_display()}
        )
    today = timezone.localdate()
    if starts_on is None:
        starts_on = today
    if starts_on < today:
        raise ValidationError(_("发布日期不能早于今天。"), field="starts_on")
    items = list(notice.items.values(*ITEM_TEXT_FIELDS))
    if not items:
        raise ValidationError(_("公示至少要有一个公示对象。"), field="items")
    _check_display_text(title=notice.title, body=notice.body, items=items)

    counted = period.notice_period(starts_on)
    ends_on = counted.ends_on
    notice.status = Notice.Status.PUBLISHED
    notice.starts_on = starts_on
    set_period(notice, counted)
    notice.published_by = actor
    notice.published_at = timezone.now()
    notice.save(
        update_fields=[
            "status",
            "starts_on",
            "counts_from",
            "ends_on",
            "working_days",
            "due_rule",
            "due_provisional",
            "published_by",
            "published_at",
            "updated_at",
        ]
    )
    audit_record(
        actor=actor,
        action=NoticesAction.NOTICE_PUBLISH,
        obj=notice,
        summary=notice.due_rule,
        changes={
            "status": [Notice.Status.DRAFT, Notice.Status.PUBLISHED],
            "starts_on": [None, starts_on.isoformat()],
            "ends_on": [None, ends_on.isoformat()],
            **({"due_provisional": [False, True]} if counted.provisional else {}),
        },
    )
    _copy_state(original, notice)
    return notice


def set_period(notice: Notice, counted: period.NoticePeriod) -> None:
    """Set the notice's period fields (not saved): first and last day, the number of working
    days, the rule in words as written (Chinese) and whether it is provisional."""
    notice.counts_from = counted.counts_from
    notice.ends_on = counted.ends_on
    notice.working_days = counted.working_days
    notice.due_rule = _("公示 %(n)d 个工作日(%(first)s 至 %(last)s)") % {
        "n": counted.working_days,
        "first": counted.counts_from.isoformat(),
        "last": counted.ends_on.isoformat(),
    }
    notice.due_provisional = counted.provisional


@transaction.atomic
def notice_withdraw(*, actor: User, notice: Notice, reason: str) -> Notice:
    """Withdraw a draft or published notice, with the reason.

    Its subjects are then free for a new notice. Raise ValidationError without a reason and
    Conflict for a notice already ended or withdrawn (an ended notice is a record of what was
    posted; it stays as it was).
    """
    original, notice = notice, _lock_notice(actor, notice)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("请填写撤回原因。"), field="reason")
    # A published notice whose last day has passed has ended, recorded by `end_notices` or not.
    if notice.status_on(timezone.localdate()) not in _open_statuses():
        raise Conflict(
            _("只有草稿或公示中的公示可以撤回;该公示的状态是“%(status)s”。")
            % {"status": notice.get_current_status_display()}
        )
    before = notice.status
    notice.status = Notice.Status.WITHDRAWN
    notice.withdrawn_reason = reason
    notice.withdrawn_by = actor
    notice.withdrawn_at = timezone.now()
    notice.save(
        update_fields=["status", "withdrawn_reason", "withdrawn_by", "withdrawn_at", "updated_at"]
    )
    audit_record(
        actor=actor,
        action=NoticesAction.NOTICE_WITHDRAW,
        obj=notice,
        summary=_("撤回公示:%(reason)s") % {"reason": reason[:200]},
        changes={"status": [before, Notice.Status.WITHDRAWN]},
    )
    _copy_state(original, notice)
    return notice


@transaction.atomic
def objection_record(
    *,
    actor: User,
    notice: Notice,
    item: NoticeItem | None = None,
    received_on: date,
    channel: str,
    from_name: str,
    contact: str,
    content: str,
) -> Objection:
    """Record an objection to a published (or already ended) notice, or to one of its items.

    An objection received after the period still counts: it holds the subjects back until it
    is settled. Raise ValidationError naming the field on bad input, Conflict for a draft or
    withdrawn notice.
    """
    notice = _lock_notice(actor, notice)
    if notice.status not in (Notice.Status.PUBLISHED, Notice.Status.ENDED):
        raise Conflict(
            _("只能对已发布的公示登记异议;该公示的状态是“%(status)s”。")
            % {"status": notice.get_status_display()}
        )
    from_name = clean_text(from_name)
    contact = clean_text(contact)
    content = (content or "").strip()
    errors: dict[str, str] = {}
    if item is not None and item.notice_id != notice.pk:
        errors["item"] = _("所选对象不在该公示中。")
    if received_on is None:
        errors["received_on"] = _("请填写收到日期。")
    elif received_on > timezone.localdate():
        errors["received_on"] = _("收到日期不能晚于今天。")
    elif notice.starts_on and received_on < notice.starts_on:
        errors["received_on"] = _("收到日期不能早于公示发布日期 %(date)s。") % {
            "date": notice.starts_on.isoformat()
        }
    if channel not in Objection.Channel.values:
        errors["channel"] = _("请选择反映方式。")
    if len(from_name) > 50:
        errors["from_name"] = _("反映人不能超过 50 个字。")
    if len(contact) > 100:
        errors["contact"] = _("联系方式不能超过 100 个字。")
    if not content:
        errors["content"] = _("请填写异议内容。")
    if errors:
        raise ValidationError(next(iter(errors.values())), errors=errors)
    # The same objection posted twice (a double click, a reload) is recorded once.
    if Objection.objects.filter(
        notice=notice,
        item=item,
        received_on=received_on,
        channel=channel,
        from_name=from_name,
        content=content,
        status=Objection.Status.OPEN,
    ).exists():
        raise Conflict(_("这条异议已经登记,请勿重复提交。"))
    objection = Objection.objects.create(
        notice=notice,
        item=item,
        received_on=received_on,
        channel=channel,
        from_name=from_name,
        contact=contact,
        content=content,
        status=Objection.Status.OPEN,
        recorded_by=actor,
    )
    audit_record(
        actor=actor,
        action=NoticesAction.OBJECTION_RECORD,
        obj=objection,
        summary=_("登记异议:%(target)s")
        % {"target": item.person_name if item is not None else _("整个公示")},
        changes={
            "notice_id": [None, notice.pk],
            "item_id": [None, item.pk if item is not None else None],
            "received_on": [None, received_on.isoformat()],
            "channel": [None, channel],
            "from_name": [None, mask_text(from_name) or None],
            "contact": [None, mask_text(contact) or None],
            "content": [None, mask_text(content)],
        },
    )
    return objection


@transaction.atomic
def objection_settle(
    *, actor: User, objection: Objection, upheld: bool, resolution: str
) -> Objection:
    """Settle an open objection as upheld or dismissed, with what was found and done.

    Raise ValidationError without a resolution, Conflict when it is already settled.
    """
    _lock_notice(actor, objection.notice)
    resolution = (resolution or "").strip()
    if not resolution:
        raise ValidationError(_("请填写核实处理结果。"), field="resolution")
    original, objection = (
        objection,
        (
            Objection.objects.select_for_update(of=("self",))
            .select_related("notice", "item")
            .get(pk=objection.pk)
        ),
    )
    if objection.status != Objection.Status.OPEN:
        raise Conflict(_("该异议已办结(%(status)s)。") % {"status": objection.get_status_display()})
    status = Objection.Status.UPHELD if upheld else Objection.Status.DISMISSED
    objection.status = status
    objection.resolution = resolution
    objection.settled_on = timezone.localdate()
    objection.settled_by = actor
    objection.save(update_fields=["status", "resolution", "settled_on", "settled_by", "updated_at"])
    audit_record(
        actor=actor,
        action=NoticesAction.OBJECTION_SETTLE,
        obj=objection,
        summary=_("异议办结:%(status)s") % {"status": objection.get_status_display()},
        changes={
            "status": [Objection.Status.OPEN, status],
            "resolution": [None, mask_text(resolution)],
        },
    )
    _copy_state(original, objection)
    return objection


def notice_end_due(*, today: date | None = None) -> int:
    """Mark published notices whose last day has passed as ended; return how many.

    Each notice ends in its own transaction with its own audit event (the system is the
    actor). Running it again changes nothing.
    """
    today = today or timezone.localdate()
    ended = 0
    due_ids = list(
        Notice.objects.filter(status=Notice.Status.PUBLISHED, ends_on__lt=today).values_list(
            "pk", flat=True
        )
    )
    for notice_id in due_ids:
        with transaction.atomic():
            notice = (
                Notice.objects.select_for_update()
                .filter(pk=notice_id, status=Notice.Status.PUBLISHED, ends_on__lt=today)
                .first()
            )
            if notice is None:
                continue  # ended or withdrawn meanwhile
            notice.status = Notice.Status.ENDED
            notice.ended_at = timezone.now()
            notice.save(update_fields=["status", "ended_at", "updated_at"])
            audit_record(
                actor=None,
                action=NoticesAction.NOTICE_END,
                obj=notice,
                summary=_("公示期满(截止 %(date)s)") % {"date": notice.ends_on},
                changes={"status": [Notice.Status.PUBLISHED, Notice.Status.ENDED]},
            )
            ended += 1
    return ended
