"""The public side (no log-in): the online form with its local CAPTCHA and rate limit, the
progress look-up with the query code (the right stage, nothing personal), the rating."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from bangfu.core import captcha
from bangfu.core.models import AuditEvent
from bangfu.petitions.models import Petition, PublicHit
from bangfu.petitions.services import handling as h

from .factories import register

pytestmark = pytest.mark.django_db
SUBMIT = reverse("petitions:public_submit")
TRACK = reverse("petitions:public_track")


def _form(network, client: Client, **overrides) -> dict:
    page = client.get(SUBMIT).content.decode()
    found = re.search(r'name="captcha_0" value="([^"]+)"', page)
    assert found is not None
    key = found.group(1)
    answer = captcha.challenge(key)
    data = {
        "centre": network.township.pk,
        "nature": "request",
        "category": "social_insurance",
        "petitioner_name": "陈秀英",
        "phone": "13807326543",
        "address": "响水乡金桥村 5 组",
        "request": "要求单位补缴 2024 年养老保险",
        "facts": "单位自 2024 年 3 月起未缴纳社保",
        "consent": "on",
        "captcha_0": key,
        "captcha_1": answer,
    }
    data.update(overrides)
    return data


def test_a_visitor_submits_online_and_gets_a_number_and_a_query_code(network):
    client = Client()

    response = client.post(SUBMIT, _form(network, client))

    petition = Petition.objects.get()
    html = response.content.decode()
    assert response.status_code == 200
    assert petition.number in html
    assert petition.query_code in html
    assert (petition.channel, petition.unit, petition.registered_by) == (
        "online",
        network.township,
        None,
    )
    assert petition.ack_method == "online"
    event = AuditEvent.objects.get(action="petitions.petition.submit_online")
    assert event.actor_name == "匿名访客"


def test_a_wrong_captcha_is_refused_and_nothing_is_registered(network):
    client = Client()

    response = client.post(SUBMIT, _form(network, client, captcha_1="WRONG"))

    assert response.status_code == 400
    assert "验证码不正确或已过期,请看新图重新输入。" in response.content.decode()
    assert Petition.objects.count() == 0


def test_an_online_form_without_request_or_facts_names_both(network):
    client = Client()

    response = client.post(SUBMIT, _form(network, client, request="", facts=""))

    html = response.content.decode()
    assert response.status_code == 400
    assert "请填写信访诉求:信访人要求解决什么问题。" in html
    assert "请填写事实:发生了什么、何时、何地、涉及谁。" in html
    assert Petition.objects.count() == 0


def test_submissions_are_limited_per_address_across_clients(network, settings):
    settings.BANGFU_PETITION_PUBLIC_SUBMISSIONS_PER_HOUR = 2
    # Two browsers (or two gunicorn workers) behind the same address count together.
    first, second = Client(REMOTE_ADDR="10.1.2.3"), Client(REMOTE_ADDR="10.1.2.3")
    elsewhere = Client(REMOTE_ADDR="10.9.9.9")

    answers = [
        first.post(SUBMIT, _form(network, first)).status_code,
        second.post(SUBMIT, _form(network, second)).status_code,
        second.post(SUBMIT, _form(network, second)).status_code,
        elsewhere.post(SUBMIT, _form(network, elsewhere)).status_code,
    ]

    assert answers == [200, 200, 429, 200]
    assert Petition.objects.count() == 3
    limited = first.post(SUBMIT, _form(network, first)).content.decode()
    assert "您的请求过于频繁,请一小时后再试" in limited
    # Only a keyed hash of the address is kept.
    assert not PublicHit.objects.filter(client_key__contains="10.1.2.3").exists()


def test_the_progress_page_shows_the_right_stage_and_nothing_personal(network, staff):
    petition = register(staff, network.township, id_number="11010519491231002X")
    client = Client()

    registered = client.post(TRACK, {"code": petition.query_code.lower().replace("-", " ")})
    h.petition_accept(actor=staff, petition=petition, handling_unit=network.station_a)
    accepted = client.post(TRACK, {"code": petition.query_code})
    h.petition_reply(
        actor=staff, petition=petition, outcome="partly_upheld", decision="补发两月", basis="合同"
    )
    replied = client.post(TRACK, {"code": petition.query_code})

    assert registered.status_code == 200
    assert 'data-testid="stage">已登记,待受理<' in registered.content.decode()
    assert 'data-testid="stage">办理中<' in accepted.content.decode()
    html = replied.content.decode()
    assert 'data-testid="stage">已答复<' in html
    assert "部分支持" in html
    assert 'data-testid="rate-form"' in html
    for personal in ("王建国", "13807325678", "138****5678", "湘电配件厂", "11010519491231002X"):
        assert personal not in html


def test_a_wrong_code_is_not_found(network):
    response = Client().post(TRACK, {"code": "AAAA-BBBB-CCCC-DDDD"})

    assert response.status_code == 404
    assert "没有找到与该查询码对应的信访件,请核对后重新输入。" in response.content.decode()


def test_the_petitioner_rates_online_once(network, staff):
    petition = register(staff, network.township)
    h.petition_accept(actor=staff, petition=petition, handling_unit=network.township)
    h.petition_reply(actor=staff, petition=petition, outcome="upheld", decision="d", basis="b")
    client = Client()

    rated = client.post(
        TRACK, {"code": petition.query_code, "rating": "satisfied", "comment": "办得快"}
    )
    again = client.post(TRACK, {"code": petition.query_code, "rating": "dissatisfied"})

    petition.refresh_from_db()
    assert rated.status_code == 200
    assert "您的评价:满意。谢谢!" in rated.content.decode()
    assert (petition.rating, petition.rated_online, petition.rating_comment) == (
        "satisfied",
        True,
        "办得快",
    )
    assert again.status_code == 409
    assert petition.get_rating_display() == "满意"


def test_queries_are_limited_too_and_a_get_counts_nothing(network, settings):
    settings.BANGFU_PETITION_PUBLIC_QUERIES_PER_HOUR = 1
    client = Client()

    client.get(TRACK)
    assert PublicHit.objects.count() == 0
    first = client.post(TRACK, {"code": "AAAA-BBBB-CCCC-DDDD"})
    second = client.post(TRACK, {"code": "AAAA-BBBB-CCCC-DDDD"})

    assert (first.status_code, second.status_code) == (404, 429)


def test_the_captcha_image_is_drawn_locally_without_a_log_in(network):
    client = Client()
    page = client.get(SUBMIT).content.decode()
    found = re.search(r'<img src="([^"]+)"[^>]*class="bf-captcha-image', page)
    assert found is not None
    src = found.group(1)

    image = client.get(src)

    assert image.status_code == 200
    assert image["Content-Type"] == "image/png"
    assert not re.search(r"https?://", page)
