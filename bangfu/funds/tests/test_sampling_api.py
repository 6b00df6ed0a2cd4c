"""The 抽查 API: list, draw (a second draw with the same last sample is refused), record a
check once, close a mismatch — the same refusals as the pages, each changing nothing."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from bangfu.core.models import AuditEvent
from bangfu.funds.models import Sample, SampleCheck

from .factories import make_finance, make_paid_book


def _client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def finance(network):
    return make_finance(network.township)


@pytest.fixture
def book(network, staff, finance, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    settings.BANGFU_SAMPLE_MARGIN = "0.30"
    return make_paid_book(network, staff=staff, finance=finance, count=5)


def _state():
    checks = SampleCheck.objects.order_by("pk").values_list(
        "checked_on", "outcome", "notes", "resolution", "resolved_at"
    )
    return Sample.objects.count(), list(checks), AuditEvent.objects.count()


def test_draw_record_and_close_through_the_api(finance, leader, book):
    api = _client(finance)
    draw = f"/api/funds/books/{book.pk}/samples/draw/"

    made = api.post(draw, {"seed": 2012, "after_sample_id": 0}, format="json")
    twice = api.post(draw, {"after_sample_id": 0}, format="json")

    assert made.status_code == 201, made.content
    body = made.json()
    assert (body["population"], body["size"], body["seed"]) == (5, 4, 2012)
    assert len(body["checks"]) == 4
    first = body["checks"][0]
    assert first["id_masked"].count("*") >= 8 and first["recipient_name"].startswith("户主")
    assert twice.status_code == 409
    assert "本次未重复抽取" in twice.json()["detail"]
    assert Sample.objects.count() == 1

    record = f"/api/funds/checks/{first['id']}/record/"
    data = {"method": "phone", "checked_on": "2026-12-31", "outcome": "mismatch", "notes": "不符"}
    recorded = api.post(record, data, format="json")
    assert recorded.status_code == 200, recorded.content
    assert recorded.json()["outcome_label"] == "不相符"
    before = _state()
    assert api.post(record, {**data, "outcome": "match"}, format="json").status_code == 409
    assert _state() == before

    close = f"/api/funds/checks/{first['id']}/close/"
    closed = _client(leader).post(close, {"resolution": "已追回多发部分。"}, format="json")
    assert closed.status_code == 200, closed.content
    assert closed.json()["resolved"] is True
    before = _state()
    assert _client(leader).post(close, {"resolution": "再"}, format="json").status_code == 409
    assert _state() == before

    listed = api.get(f"/api/funds/books/{book.pk}/samples/")
    assert listed.status_code == 200
    assert [s["id"] for s in listed.json()] == [body["id"]]
    assert listed.json()[0]["checks"][0]["resolution"] == "已追回多发部分。"


def test_the_supervisor_reads_samples_and_may_not_draw_record_or_close(finance, supervisor, book):
    api = _client(finance)
    sample = api.post(f"/api/funds/books/{book.pk}/samples/draw/", {}, format="json").json()
    check_id = sample["checks"][0]["id"]
    api.post(
        f"/api/funds/checks/{check_id}/record/",
        {"method": "visit", "checked_on": "2026-12-31", "outcome": "mismatch", "notes": "不符"},
        format="json",
    )
    reader = _client(supervisor)
    assert reader.get(f"/api/funds/books/{book.pk}/samples/").status_code == 200
    before = _state()

    answers = [
        reader.post(f"/api/funds/books/{book.pk}/samples/draw/", {}, format="json"),
        reader.post(
            f"/api/funds/checks/{sample['checks'][1]['id']}/record/",
            {"method": "visit", "checked_on": "2026-12-31", "outcome": "match", "notes": "x"},
            format="json",
        ),
        reader.post(f"/api/funds/checks/{check_id}/close/", {"resolution": "x"}, format="json"),
    ]

    assert [a.status_code for a in answers] == [403, 403, 403]
    assert _state() == before


def test_bad_input_is_refused_by_name(finance, book):
    api = _client(finance)
    before = _state()
    answer = api.post(f"/api/funds/books/{book.pk}/samples/draw/", {"seed": -1}, format="json")
    assert answer.status_code == 400
    assert "随机种子" in answer.content.decode()
    assert _state() == before


def test_outside_the_scope_is_not_found(network, finance, book):
    sample = (
        _client(finance).post(f"/api/funds/books/{book.pk}/samples/draw/", {}, format="json").json()
    )
    stranger = _client(make_finance(network.other_township, username="other-finance"))
    assert stranger.get(f"/api/funds/books/{book.pk}/samples/").status_code == 404
    answer = stranger.post(
        f"/api/funds/checks/{sample['checks'][0]['id']}/close/", {"resolution": "x"}, format="json"
    )
    assert answer.status_code == 404
