"""Reads of public notices, always scoped to the asking user (except `subject_notice_state`,
which other contexts ask about a subject they have already fetched through their own scope)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from bangfu.accounts import policy

from .models import Notice, NoticeItem, NoticeItemState, Objection, current_status_expression
from .permissions import NoticesPermission


@dataclass
class NoticeState:
    """Where a subject stands with its notice (`status`, see `NoticeItemState`)."""

    status: NoticeItemState
    notice: Notice | None
    ends_on: date | None

    @property
    def cleared(self) -> bool:
        return self.status == NoticeItemState.CLEARED

    @property
    def label(self) -> str:
        """Return the status in words, for messages ("公示中", "异议待核实", …)."""
        return str(self.status.label)


def subject_notice_state(subject: models.Model, *, kind: str | None = None) -> NoticeState:
    """Return the state of `subject` on its latest notice that was not withdrawn (of `kind`
    when given). Three queries, no writes."""
    content_type = ContentType.objects.get_for_model(subject)
    items = NoticeItem.objects.filter(subject_type=content_type, subject_id=subject.pk).exclude(
        notice__status=Notice.Status.WITHDRAWN
    )
    if kind:
        items = items.filter(notice__kind=kind)
    item = items.select_related("notice__unit").order_by("-notice_id").first()
    if item is None:
        return NoticeState(NoticeItemState.NONE, None, None)
    notice = item.notice
    if notice.status == Notice.Status.DRAFT:
        return NoticeState(NoticeItemState.DRAFT, notice, None)
    concerning = list(
        Objection.objects.filter(Q(item=item) | Q(item__isnull=True), notice=notice)
        .values_list("status", flat=True)
        .distinct()
    )
    if Objection.Status.UPHELD in concerning:
        status = NoticeItemState.UPHELD
    elif Objection.Status.OPEN in concerning:
        status = NoticeItemState.OBJECTION_OPEN
    elif notice.status_on(timezone.localdate()) == Notice.Status.ENDED:
        status = NoticeItemState.CLEARED
    else:
        status = NoticeItemState.PUBLISHING
    return NoticeState(status, notice, notice.ends_on)


def _scoped(user: Any, perm: str = NoticesPermission.VIEW) -> QuerySet[Notice]:
    """The notices of units in the user's scope; to read, also the published (and ended)
    notices of the units above it — a station posts its centre's notice on its own board, so
    its liaison may open it (never a draft or a withdrawn one, never to manage it)."""
    query = policy.scope_q(user, perm, field="unit")
    if perm == NoticesPermission.VIEW:
        query |= Q(status__in=[Notice.Status.PUBLISHED, Notice.Status.ENDED]) & (
            policy.above_scope_q(user, perm, field="unit")
        )
    return Notice.objects.filter(query)


def notice_list(
    *, user: Any, filters: Mapping[str, Any] | None = None, today: date | None = None
) -> QuerySet[Notice]:
    """Return the notices the user may see, newest first, with `item_count`,
    `open_objections` and `shown_status` (the status as it stands `today`: a published notice
    whose period has passed is "ended" before `end_notices` records it). Filters: status (on
    `shown_status`), kind, q (title or a listed name), unit (an OrgUnit: it and the units under
    it). Writes nothing."""
    filters = filters or {}
    today = today or timezone.localdate()
    qs = (
        _scoped(user).select_related("unit").annotate(shown_status=current_status_expression(today))
    )
    if filters.get("status"):
        qs = qs.filter(shown_status=filters["status"])
    if filters.get("kind"):
        qs = qs.filter(kind=filters["kind"])
    q = (filters.get("q") or "").strip()
    if q:
        qs = qs.filter(
            Q(title__icontains=q)
            | Q(pk__in=NoticeItem.objects.filter(person_name__icontains=q).values("notice_id"))
        )
    unit = filters.get("unit")
    if unit is not None:
        qs = qs.filter(unit__path__startswith=unit.path)
    return qs.annotate(
        item_count=Count("items", distinct=True),
        open_objections=Count(
            "objections", filter=Q(objections__status=Objection.Status.OPEN), distinct=True
        ),
    ).order_by("-id")


def access_notice(*, user: Any, notice_id: Any, perm: str = NoticesPermission.VIEW) -> Notice:
    """Return the notice if its unit lies in the user's scope for `perm`; raise NotFound
    otherwise, exactly as for a notice that does not exist. Writes nothing: whether it has
    ended is `notice.current_status`."""
    return policy.scoped_get(
        _scoped(user, perm).select_related("unit"), notice_id, message=_("未找到该公示。")
    )


def access_objection(
    *, user: Any, objection_id: Any, perm: str = NoticesPermission.MANAGE
) -> Objection:
    """Return the objection if its notice lies in the user's scope; raise NotFound otherwise."""
    return policy.scoped_get(
        Objection.objects.filter(policy.scope_q(user, perm, field="notice__unit")).select_related(
            "notice__unit", "item"
        ),
        objection_id,
        message=_("未找到该异议。"),
    )


def notice_items(notice: Notice) -> list[NoticeItem]:
    """Return the notice's items in order, with their open and upheld objection counts."""
    return list(
        notice.items.annotate(
            open_objections=Count("objections", filter=Q(objections__status=Objection.Status.OPEN)),
            upheld_objections=Count(
                "objections", filter=Q(objections__status=Objection.Status.UPHELD)
            ),
        ).order_by("sort_order", "id")
    )


def notice_objections(notice: Notice) -> list[Objection]:
    return list(
        notice.objections.select_related("item", "recorded_by", "settled_by").order_by(
            "received_on", "id"
        )
    )


def published_notices(unit: Any, *, today: date | None = None) -> QuerySet[Notice]:
    """Return the notices on the wall now of `unit` and the units under it, for the public
    portal: published and within their period. Show only their display fields."""
    today = today or timezone.localdate()
    return (
        Notice.objects.filter(
            unit__path__startswith=unit.path,
            status=Notice.Status.PUBLISHED,
            starts_on__lte=today,
            ends_on__gte=today,
        )
        .select_related("unit")
        .order_by("-starts_on", "-id")
    )


def notices_ending_soon(*, user: Any, until: date, today: date | None = None) -> QuerySet[Notice]:
    """Return the published notices in the user's MANAGE scope whose last day lies between
    today and `until`."""
    today = today or timezone.localdate()
    return (
        _scoped(user, NoticesPermission.MANAGE)
        .filter(status=Notice.Status.PUBLISHED, ends_on__gte=today, ends_on__lte=until)
        .select_related("unit")
    )


def open_objections(*, user: Any) -> QuerySet[Objection]:
    """Return the open objections of notices in the user's MANAGE scope."""
    return Objection.objects.filter(
        policy.scope_q(user, NoticesPermission.MANAGE, field="notice__unit"),
        status=Objection.Status.OPEN,
    ).select_related("notice", "item")


def public_notice(notice_id: Any, *, today: date | None = None) -> Notice:
    """A notice for anyone (the page its printed copy's QR code opens): only while it is
    published and its period runs; NotFound otherwise, like a notice that does not exist."""
    today = today or timezone.localdate()
    qs = Notice.objects.filter(
        status=Notice.Status.PUBLISHED, starts_on__lte=today, ends_on__gte=today
    ).select_related("unit")
    return policy.scoped_get(qs, notice_id, message=_("未找到该公示。"))
