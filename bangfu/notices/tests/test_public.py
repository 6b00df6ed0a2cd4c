"""The online copy of a published notice (the printed copy's QR code opens it): anyone may read
it while it runs; display fields only; a draft, a withdrawn or an ended notice is not found."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from bangfu.notices import services
from bangfu.notices.models import Notice

from .factories import make_notice, make_subject, set_today


@pytest.fixture
def notice(network, staff, monkeypatch):
    set_today(monkeypatch, date(2026, 11, 27))
    notice = make_notice(
        staff,
        network.township,
        [make_subject(network.station_a, "张三")],
        kind=Notice.Kind.ASSISTANCE,
        title="2026 年春节送温暖救助公示",
        amount=Decimal("800"),
    )
    services.notice_publish(actor=staff, notice=notice)
    return notice


def test_anyone_reads_a_running_notice_without_logging_in(client, notice):
    response = client.get(reverse("notices:notice_public", args=[notice.pk]))

    page = response.content.decode()
    assert response.status_code == 200
    assert "2026 年春节送温暖救助公示" in page
    assert "张三" in page and "800.00" in page


def test_the_printed_notice_carries_the_qr_code_and_the_address(client, notice, staff):
    client.force_login(staff)

    page = client.get(reverse("notices:notice_print", args=[notice.pk])).content.decode()

    address = f"testserver{reverse('notices:notice_public', args=[notice.pk])}"
    assert f'data-testid="print-url">{address}<' in page
    assert "<svg" in page


def test_a_draft_or_an_ended_notice_is_not_public(client, network, staff, notice, monkeypatch):
    draft = make_notice(staff, network.township, [make_subject(network.station_b, "李四")])

    assert client.get(reverse("notices:notice_public", args=[draft.pk])).status_code == 404
    set_today(monkeypatch, date(2027, 1, 5))
    assert client.get(reverse("notices:notice_public", args=[notice.pk])).status_code == 404
