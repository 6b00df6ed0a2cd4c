"""The demo's core loop, played on the story's days (`clock.on_day`) through the services:

* an archive applied for about three weeks ago, visited, reviewed, publicly noticed; its notice
  has ended and it waits for the leader's approval (on the leader's worklist);
* assistance applications (2026 春节送温暖 and 临时救助) made four weeks ago, visited where the
  programme asks, reviewed, noticed; their notice has ended. The leader approved five (the money
  committed in the special account); one waits for the leader's approval today. Of the approved:
  one paid in person (signed slip, its scan attached), two paid by bank — one line failed (the
  bank's system was down) and was paid again in a second batch — and two wait for payment. The
  paid ones have their follow-up (回访) due. A sample of the paid is drawn (抽查): one check
  matched, one did not (left open on the finance user's worklist), one still to check.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from bangfu.archives.models import Household
from bangfu.archives.models import choices as c
from bangfu.archives.services import filing, procedure
from bangfu.assistance.models import Application, Kind, Programme
from bangfu.assistance.services import (
    ApplicationInput,
    application_create,
    application_notice,
    application_review,
    application_send,
    application_signoff,
    application_submit,
    application_visit,
)
from bangfu.funds.models import Book, Commitment, SampleCheck
from bangfu.funds.services.banking import batch_create, batch_mark_sent, return_import
from bangfu.funds.services.payments import payment_attach_scan, payment_confirm, payment_prepare
from bangfu.funds.services.sampling import sample_check_record, sample_draw
from bangfu.network.models import OrgUnit

from .archives import _household, ensure_standards
from .clock import days_ago, on_day

# Days before the demo is loaded.
APPLIED, VISITED, REVIEWED, NOTICED, SENT, APPROVED = 30, 28, 27, 26, 9, 8
WAITING_SENT = 1
PAID_IN_PERSON, BANK_SENT, BANK_RETURNED, BANK_AGAIN, BANK_AGAIN_RETURNED = 6, 5, 4, 3, 2
SAMPLED, CHECKED = 1, 1


def seed_loop(*, users: dict[str, Any], log: Callable[[str], None]) -> None:
    """Once: nothing when an application is already approved or waiting for approval."""
    if Application.objects.filter(
        status__in=[Application.Status.APPROVED, Application.Status.PENDING_APPROVAL]
    ).exists():
        return
    _archive_waiting_for_the_leader(users)
    told = _applications(users)
    log(f"已载入完整流程演示:待领导审批的档案 1 户;{told}")


def _archive_waiting_for_the_leader(users: dict[str, Any]) -> None:
    staff, liaison = users["staff"], users["liaison1"]
    station = OrgUnit.objects.filter(kind=OrgUnit.Kind.STATION).order_by("sort_order", "pk")[0]
    with on_day(days_ago(24)):
        household = filing.household_create(
            actor=liaison,
            data=_household(
                random.Random(2026),
                unit=station,
                area=ensure_standards(),
                applied_on=days_ago(24),
                per_capita_target=Decimal("560.00"),
                size=3,
                cause=c.HardshipCause.SERIOUS_ILLNESS,
            ),
        )
    with on_day(days_ago(22)):
        procedure.investigation_record(
            actor=staff,
            household=household,
            visited_on=days_ago(22),
            visitors=["张慧敏", "刘桂兰"],
            findings="家中三人,本人患尿毒症长期透析,配偶照料,收入情况属实。",
            recommendation="agree",
        )
    with on_day(days_ago(21)):
        household.refresh_from_db()
        procedure.review_record(
            actor=staff,
            household=household,
            held_on=days_ago(21),
            participants="响水社区工会小组、居民代表共 9 人",
            votes_for=9,
            votes_against=0,
            passed=True,
            record="经民主评议,一致同意列为困难职工建档对象。",
        )
    with on_day(days_ago(20)):
        household.refresh_from_db()
        procedure.notice_start(actor=staff, household=household)
    with on_day(days_ago(2)):
        household.refresh_from_db()
        procedure.submit_for_approval(actor=staff, household=household)


def _applications(users: dict[str, Any]) -> str:
    staff, leader, finance = users["staff"], users["leader"], users["finance"]
    year = timezone.localdate().year
    programmes = {
        p.kind: p
        for p in Programme.objects.filter(year=year, kind__in=[Kind.FESTIVAL, Kind.TEMPORARY])
    }
    if len(programmes) < 2:
        return "无帮扶发放(本年度没有送温暖或临时救助项目)"
    taken = set(Application.objects.values_list("household_id", flat=True))
    households = [
        h
        for h in Household.objects.filter(status=Household.Status.ACTIVE)
        .exclude(bank_card_last4="")
        .order_by("pk")
        if h.pk not in taken
    ][:6]
    if len(households) < 6:
        return "无帮扶发放(在档户不足)"
    kinds = [Kind.FESTIVAL, Kind.TEMPORARY, Kind.TEMPORARY, Kind.FESTIVAL, Kind.TEMPORARY]
    kinds.append(Kind.FESTIVAL)  # the one waiting for the leader
    start = max(days_ago(APPLIED), date(year, 1, 1))
    applications = []
    with on_day(start):
        for household, kind in zip(households, kinds, strict=True):
            data = ApplicationInput(
                programme=programmes[kind],
                period_start=start,
                period_end=min(start + timedelta(days=27), date(year, 12, 31)),
                cause="" if kind == Kind.FESTIVAL else "家中突发重病,医疗支出大,生活暂时困难",
            )
            application = application_create(actor=staff, household_id=household.pk, data=data)
            applications.append(application_submit(actor=staff, application=application))
    with on_day(max(days_ago(VISITED), start)):
        applications = [
            application_visit(
                actor=staff,
                application=a,
                visited_on=timezone.localdate(),
                visitors=["张慧敏", "刘桂兰"],
                findings="入户核实,家庭人口、收入和支出情况属实。",
                recommendation="agree",
            )
            if a.status == Application.Status.SUBMITTED
            else a
            for a in applications
        ]
    with on_day(max(days_ago(REVIEWED), start)):
        applications = [
            application_review(
                actor=staff,
                application=a,
                held_on=timezone.localdate(),
                participants="社区工会小组、职工代表共 7 人",
                votes_for=7,
                votes_against=0,
                passed=True,
                record="经民主评议,同意给予救助。",
            )
            for a in applications
        ]
    with on_day(max(days_ago(NOTICED), start)):
        applications = [application_notice(actor=staff, application=a) for a in applications]
    with on_day(days_ago(SENT)):
        applications[:5] = [application_send(actor=staff, application=a) for a in applications[:5]]
    with on_day(days_ago(WAITING_SENT)):
        applications[5] = application_send(actor=staff, application=applications[5])
    with on_day(days_ago(APPROVED)):
        approved = [
            application_signoff(
                actor=leader, application=a, outcome="approved", opinion="同意,按标准发放。"
            )
            for a in applications[:5]
        ]
    commitments = {
        c.subject_id: c for c in Commitment.objects.filter(subject_id__in=[a.pk for a in approved])
    }
    book = Book.objects.get(pk=next(iter(commitments.values())).book_id)
    in_person, bank_ok, bank_failed = (commitments[a.pk] for a in approved[:3])
    with on_day(days_ago(PAID_IN_PERSON)):
        slip = payment_prepare(actor=finance, commitment=in_person, signer="head")
        scan = SimpleUploadedFile("slip.pdf", b"%PDF-1.4 demo signed slip", "application/pdf")
        payment_attach_scan(actor=finance, payment=slip, file=scan)
        payment_confirm(actor=finance, payment=slip, paid_on=timezone.localdate())
    with on_day(days_ago(BANK_SENT)):
        batch = batch_create(actor=finance, book=book, commitments=[bank_ok, bank_failed])
        batch_mark_sent(actor=finance, batch=batch, sent_on=timezone.localdate())
    ok, failed = (batch.payments.get(commitment=c) for c in (bank_ok, bank_failed))
    with on_day(days_ago(BANK_RETURNED)):
        return_import(
            actor=finance,
            batch=batch,
            content=_return_file([(ok, "成功", ""), (failed, "失败", "银行系统临时故障")]),
            filename="回盘.csv",
            date=timezone.localdate(),
        )
    with on_day(days_ago(BANK_AGAIN)):
        again = batch_create(actor=finance, book=book, commitments=[bank_failed])
        batch_mark_sent(actor=finance, batch=again, sent_on=timezone.localdate())
    with on_day(days_ago(BANK_AGAIN_RETURNED)):
        return_import(
            actor=finance,
            batch=again,
            content=_return_file([(again.payments.get(), "成功", "")]),
            filename="回盘2.csv",
            date=timezone.localdate(),
        )
    checks = _sample(finance, book)
    return (
        "帮扶申请 6 件走完公示:批准 5 件(现场发放 1 件,银行代发 2 件其中 1 笔失败后重发成功,"
        f"待发放 2 件),待领导审批 1 件;发放抽查 1 次,{checks}"
    )


def _sample(finance: Any, book: Book) -> str:
    """After the payments: a sample of the paid (a recorded seed), one check 相符 and one 不符,
    the mismatch left open on the finance user's worklist."""
    with on_day(days_ago(SAMPLED)):
        sample = sample_draw(actor=finance, book=book, drawn_on=timezone.localdate(), seed=2026)
    checks = list(sample.checks.select_related("sample__book__unit", "payment").order_by("pk"))
    with on_day(days_ago(CHECKED)):
        outcomes = [
            (
                SampleCheck.Method.VISIT,
                SampleCheck.Outcome.MATCH,
                "入户核实:户主本人领取,金额相符。",
            ),
            (
                SampleCheck.Method.PHONE,
                SampleCheck.Outcome.MISMATCH,
                "电话核实:户主称未收到短信通知,对到账金额有疑问,需到银行核对流水。",
            ),
        ]
        for check, (method, outcome, notes) in zip(checks, outcomes, strict=False):
            sample_check_record(
                actor=finance,
                check=check,
                method=method,
                checked_on=timezone.localdate(),
                outcome=outcome,
                notes=notes,
            )
    return f"抽取 {sample.size} 笔,核查相符 1 笔、不相符 1 笔(待处理)"


def _return_file(lines: list[tuple[Any, str, str]]) -> bytes:
    text = "业务参考号,户名,交易金额,处理结果,失败原因\r\n" + "".join(
        f"{p.number},{p.recipient_name},{p.amount},{result},{reason}\r\n"
        for p, result, reason in lines
    )
    return text.encode("gbk")
