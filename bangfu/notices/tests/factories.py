"""Test helpers for notices: subjects, a published notice, and a fixed "today"."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from bangfu.network.models import OrgUnit, UnitPerson
from bangfu.notices import services
from bangfu.notices.models import Notice
from bangfu.notices.services import NoticeItemInput


def set_today(monkeypatch: pytest.MonkeyPatch, day: date) -> None:
    """Make `timezone.localdate()` (with no argument) answer `day`."""
    original = timezone.localdate

    def fake(value: Any = None, timezone: Any = None) -> date:
        return day if value is None else original(value, timezone)

    monkeypatch.setattr("django.utils.timezone.localdate", fake)


def make_subject(unit: OrgUnit, name: str = "张三") -> UnitPerson:
    """Any saved model can be a notice's subject; a unit person stands in for an archive."""
    return UnitPerson.objects.create(unit=unit, name=name, role=UnitPerson.Role.WORKER)


def item_for(subject: Any, name: str = "", **fields: Any) -> NoticeItemInput:
    defaults: dict[str, Any] = {
        "person_name": name or subject.name,
        "unit_name": "湘潭电机厂",
        "category": "深度困难",
    }
    defaults.update(fields)
    return NoticeItemInput(subject=subject, **defaults)


def make_notice(
    actor: Any,
    unit: OrgUnit,
    subjects: list[Any],
    *,
    kind: str = Notice.Kind.ARCHIVE,
    title: str = "2026 年第 1 批困难职工建档公示",
    amount: Decimal | None = None,
) -> Notice:
    return services.notice_create(
        actor=actor,
        unit=unit,
        kind=kind,
        title=title,
        body="经入户调查、民主评议,拟将下列职工纳入困难职工档案,现予公示。",
        items=[item_for(s, amount=amount) for s in subjects],
    )
