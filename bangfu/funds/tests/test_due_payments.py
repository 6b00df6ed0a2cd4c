"""The payer's worklist lists what waits to be paid: approved items whose notice has ended and
that have no payment under way — not those still in notice, not those paid, not for staff."""

from __future__ import annotations

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from bangfu.assistance.models import Application
from bangfu.assistance.services import application_signoff
from bangfu.assistance.tests.factories import aided_household
from bangfu.core.workdays import add_working_days
from bangfu.core.worklist import due_items
from bangfu.funds.due import payment_due_items
from bangfu.funds.models import Commitment
from bangfu.funds.services.payments import payment_attach_scan, payment_confirm, payment_prepare

from .test_links import _end_notice, _to_approval, _today, book, festival, finance  # noqa: F401


def _approved(network, staff, leader, festival, name):  # noqa: F811
    household = aided_household(network.station_a, staff, name=name)
    application = _to_approval(staff, household, festival)
    return application_signoff(actor=leader, application=application, outcome="approved")


@override_settings(BANGFU_PAY_WITHIN_DAYS=10)
def test_an_approved_item_whose_notice_ended_waits_on_the_payers_worklist(
    network,
    staff,
    leader,
    finance,  # noqa: F811
    book,  # noqa: F811
    festival,  # noqa: F811
):
    application = _approved(network, staff, leader, festival, "赵六")
    commitment = Commitment.objects.get(subject_id=application.pk)

    items = [i for i in due_items(finance) if i.title.startswith("待发放:")]

    assert len(items) == 1
    assert items[0].title == f"待发放:{commitment.subject_label},800.00 元"
    assert items[0].url == f"/funds/books/{book.pk}/commitments/"
    assert items[0].due == add_working_days(_today(), 10)
    assert items[0].rule == "已批准且公示期满,10 个工作日内实名发放"
    assert not [i for i in due_items(staff) if i.title.startswith("待发放:")]


def test_an_item_still_in_notice_or_paid_is_not_listed(
    network,
    staff,
    leader,
    finance,  # noqa: F811
    book,  # noqa: F811
    festival,  # noqa: F811
    django_assert_max_num_queries,
):
    waiting = _approved(network, staff, leader, festival, "赵六")
    later = _today() + timedelta(days=3)
    _end_notice(waiting, ends_on=later)
    Application.objects.filter(pk=waiting.pk).update(notice_ends_on=later)
    paid = _approved(network, staff, leader, festival, "钱七")
    payment = payment_prepare(
        actor=finance, commitment=Commitment.objects.get(subject_id=paid.pk), signer="head"
    )
    payment_attach_scan(
        actor=finance,
        payment=payment,
        file=SimpleUploadedFile("slip.pdf", b"%PDF-1.4 signed", content_type="application/pdf"),
    )
    payment_confirm(actor=finance, payment=payment, paid_on=_today())
    for name in ("孙八", "李九", "周十"):
        _approved(network, staff, leader, festival, name)

    with django_assert_max_num_queries(8):  # constant in the number of items
        items = list(payment_due_items(finance))

    titles = sorted(i.title for i in items)
    assert len(titles) == 3
    assert not any("赵六" in t or "钱七" in t for t in titles)
