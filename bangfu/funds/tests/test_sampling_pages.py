"""抽查 through the pages: the samples of a book, drawing one (population and size shown first;
a second click draws nothing), the sample with each chosen payment, recording a check once,
closing a mismatch (finance or a leader, one audit event, off the worklist), and the signed
scan opened from the payment page (access-logged). The supervision role reads it all and
changes nothing."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from bangfu.core.models import AccessLog, AuditEvent
from bangfu.core.worklist import due_items
from bangfu.funds.models import Payment, Sample, SampleCheck
from bangfu.funds.services.sampling import sample_check_record, sample_draw

from .factories import make_book, make_finance, make_paid_book

D = datetime.date


@pytest.fixture
def finance(network):
    return make_finance(network.township)


@pytest.fixture
def book(network, staff, finance, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    settings.BANGFU_SAMPLE_CONFIDENCE = "0.95"
    settings.BANGFU_SAMPLE_MARGIN = "0.30"  # n0 = 10.7: 4 of 5
    return make_paid_book(network, staff=staff, finance=finance, count=5)


def _state():
    checks = SampleCheck.objects.order_by("pk").values_list(
        "checked_on", "outcome", "notes", "resolution", "resolved_at"
    )
    return Sample.objects.count(), list(checks), AuditEvent.objects.count()


def _mismatch(book, finance):
    sample = sample_draw(actor=finance, book=book, drawn_on=D(2026, 4, 10), seed=5)
    check = sample.checks.select_related("payment", "sample__book__unit").earliest("pk")
    sample_check_record(
        actor=finance, check=check, method="phone", checked_on=D(2026, 4, 12),
        outcome="mismatch", notes="户主称只收到 50 元。",
    )  # fmt: skip
    return sample, check


def test_the_draw_form_shows_the_population_and_size_then_draws_once(client, finance, book):
    client.force_login(finance)
    url = reverse("funds:sample_draw", args=[book.pk])

    form = client.get(url)
    page = form.content.decode()
    assert '<dd class="col-sm-7" data-testid="population">5</dd>' in page
    assert "4 笔" in page
    assert 'name="after" value="0"' in page

    first = client.post(url, {"seed": "2012", "after": "0"})
    second = client.post(url, {"seed": "", "after": "0"})  # the double click

    sample = Sample.objects.get()
    assert first.status_code == 302
    assert first.url == reverse("funds:sample_detail", args=[sample.pk])
    assert (sample.seed, sample.population, sample.size) == (2012, 5, 4)
    assert second.status_code == 409
    assert f"李芳 已于 {sample.drawn_on.isoformat()} 抽取样本(4 笔),本次未重复抽取。" in (
        second.content.decode()
    )
    assert SampleCheck.objects.count() == 4


def test_a_draw_with_nothing_paid_left_is_refused_and_changes_nothing(client, network, finance):
    book = make_book(network.township, actor=finance)
    client.force_login(finance)
    url = reverse("funds:sample_draw", args=[book.pk])
    assert "该账簿没有尚未抽查的已发放记录,暂时无需抽样。" in client.get(url).content.decode()
    before = _state()

    response = client.post(url, {"after": "0"})

    assert response.status_code == 409
    assert "该账簿没有尚未抽查的已发放记录。" in response.content.decode()
    assert _state() == before


def test_a_bad_seed_is_refused_by_name(client, finance, book):
    client.force_login(finance)
    before = _state()
    url = reverse("funds:sample_draw", args=[book.pk])
    response = client.post(url, {"seed": "-3", "after": "0"})
    assert response.status_code == 400
    assert "随机种子须为非负整数。" in response.content.decode()
    assert _state() == before


def test_the_sample_page_lists_each_payment_and_records_a_check_once(client, finance, book):
    sample = sample_draw(actor=finance, book=book, drawn_on=D(2026, 4, 10), seed=5)
    check = sample.checks.select_related("payment").earliest("pk")
    client.force_login(finance)

    listing = client.get(reverse("funds:sample_list", args=[book.pk])).content.decode()
    assert "2026-04-10" in listing and ">5</td>" in listing and ">4</td>" in listing
    page = client.get(reverse("funds:sample_detail", args=[sample.pk])).content.decode()
    assert page.count('data-testid="check-row"') == 4
    assert check.payment.number in page and check.payment.snapshot["id_masked"] in page
    assert check.payment.snapshot["unit"] in page
    assert reverse("funds:check_record", args=[check.pk]) in page

    url = reverse("funds:check_record", args=[check.pk])
    data = {
        "method": "visit",
        "checked_on": "2026-04-12",
        "outcome": "match",
        "notes": "入户核实无误。",
    }
    assert client.post(url, data).status_code == 302
    before = _state()
    again = client.post(url, {**data, "outcome": "mismatch", "notes": "再查"})

    assert again.status_code == 409
    assert "该笔已于 2026-04-12 核查。" in again.content.decode()
    assert _state() == before
    check.refresh_from_db()
    assert (check.method, check.outcome, check.notes) == ("visit", "match", "入户核实无误。")


def test_a_check_without_an_outcome_is_refused_by_name(client, finance, book):
    sample = sample_draw(actor=finance, book=book, drawn_on=D(2026, 4, 10), seed=5)
    check = sample.checks.earliest("pk")
    client.force_login(finance)
    before = _state()
    response = client.post(
        reverse("funds:check_record", args=[check.pk]),
        {"method": "visit", "checked_on": "2026-04-12", "outcome": "", "notes": "x"},
    )
    assert response.status_code == 400
    assert "请选择核查结果。" in response.content.decode()
    assert _state() == before


def test_a_leader_closes_a_mismatch_once_and_it_leaves_the_worklist(client, finance, leader, book):
    sample, check = _mismatch(book, finance)
    title = f"抽查不相符:{check.payment.recipient_name}({check.payment.number})"
    item = next(i for i in due_items(leader) if i.title == title)
    assert item.url == reverse("funds:sample_detail", args=[sample.pk]) + f"#check-{check.pk}"
    client.force_login(leader)
    page = client.get(item.url).content.decode()
    assert reverse("funds:check_close", args=[check.pk]) in page
    listing = client.get(reverse("funds:sample_list", args=[book.pk])).content.decode()
    assert "不相符 1,未处理 1" in listing  # words, also on a phone where headers are hidden
    events = AuditEvent.objects.count()

    response = client.post(
        reverse("funds:check_close", args=[check.pk]), {"resolution": "经核实已补发 50 元。"}
    )

    assert response.status_code == 302
    assert AuditEvent.objects.count() == events + 1
    assert AuditEvent.objects.latest("pk").action == "funds.sample.close"
    check.refresh_from_db()
    assert (check.resolution, check.resolved_by) == ("经核实已补发 50 元。", leader)
    assert title not in [i.title for i in due_items(leader)]
    assert title not in [i.title for i in due_items(finance)]
    page = client.get(item.url).content.decode()
    assert "已处理:经核实已补发 50 元。" in page and "何亮" in page
    listing = client.get(reverse("funds:sample_list", args=[book.pk])).content.decode()
    assert "不相符 1,未处理 0" in listing
    before = _state()
    again = client.post(reverse("funds:check_close", args=[check.pk]), {"resolution": "再处理"})
    assert again.status_code == 409
    assert "该不相符记录已于" in again.content.decode()
    assert _state() == before


def test_closing_without_a_resolution_or_a_match_is_refused(client, finance, book):
    sample, check = _mismatch(book, finance)
    matched = sample.checks.exclude(pk=check.pk).earliest("pk")
    sample_check_record(
        actor=finance, check=matched, method="visit", checked_on=D(2026, 4, 12),
        outcome="match", notes="相符",
    )  # fmt: skip
    client.force_login(finance)
    before = _state()

    empty = client.post(reverse("funds:check_close", args=[check.pk]), {"resolution": " "})
    not_a_mismatch = client.post(
        reverse("funds:check_close", args=[matched.pk]), {"resolution": "无"}
    )

    assert empty.status_code == 400 and "请填写处理结果。" in empty.content.decode()
    assert not_a_mismatch.status_code == 409
    assert "只有核查结果为不相符的记录需要处理。" in not_a_mismatch.content.decode()
    assert _state() == before


def test_staff_may_read_but_not_close(client, finance, staff, book):
    _sample, check = _mismatch(book, finance)
    client.force_login(staff)
    before = _state()
    response = client.post(reverse("funds:check_close", args=[check.pk]), {"resolution": "处理"})
    assert response.status_code == 403
    assert _state() == before


def test_the_supervisor_reads_everything_of_sampling_and_changes_nothing(
    client, finance, supervisor, book
):
    sample, check = _mismatch(book, finance)
    other = sample.checks.exclude(pk=check.pk).earliest("pk")
    client.force_login(supervisor)
    for url in (
        reverse("funds:sample_list", args=[book.pk]),
        reverse("funds:sample_detail", args=[sample.pk]),
        reverse("funds:payment_detail", args=[check.payment_id]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        assert "sample-draw-link" not in body
        assert "check-record-link" not in body and "check-close-link" not in body
    before = _state()

    refused = [
        client.post(reverse("funds:sample_draw", args=[book.pk]), {"after": str(sample.pk)}),
        client.post(
            reverse("funds:check_record", args=[other.pk]),
            {"method": "visit", "checked_on": "2026-04-12", "outcome": "match", "notes": "x"},
        ),
        client.post(reverse("funds:check_close", args=[check.pk]), {"resolution": "处理"}),
    ]

    assert [r.status_code for r in refused] == [403, 403, 403]
    assert _state() == before


def test_outside_the_scope_a_sample_is_not_found(client, network, book, finance):
    sample = sample_draw(actor=finance, book=book, drawn_on=D(2026, 4, 10), seed=5)
    check = sample.checks.earliest("pk")
    stranger = make_finance(network.other_township, username="other-finance")
    client.force_login(stranger)
    for url in (
        reverse("funds:sample_list", args=[book.pk]),
        reverse("funds:sample_detail", args=[sample.pk]),
        reverse("funds:check_record", args=[check.pk]),
        reverse("funds:check_close", args=[check.pk]),
    ):
        assert client.get(url).status_code == 404, url


def test_the_signed_scan_opens_from_the_payment_page_and_is_access_logged(
    client, network, finance, supervisor, book
):
    payment = Payment.objects.earliest("pk")
    client.force_login(supervisor)
    page = client.get(reverse("funds:payment_detail", args=[payment.pk])).content.decode()
    url = reverse("funds:payment_scan_file", args=[payment.pk])
    assert f'href="{url}"' in page
    logged = AccessLog.objects.count()

    response = client.get(url)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content == b"%PDF-1.4 signed"
    entry = AccessLog.objects.latest("pk")
    assert AccessLog.objects.count() == logged + 1
    assert (entry.user, entry.object_id, entry.fields) == (supervisor, str(payment.pk), "scan")
    stranger = make_finance(network.other_township, username="other-finance")
    client.force_login(stranger)
    assert client.get(url).status_code == 404
    assert AccessLog.objects.count() == logged + 1
