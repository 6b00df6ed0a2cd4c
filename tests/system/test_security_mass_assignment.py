"""Mass assignment (issue 12 item 12): an API create or update takes only its declared input
fields. Every write endpoint gets a valid body plus, one at a time, every field of the model it
writes that it does not declare (`origin`, `status`, `archive_no`, `is_superuser` …): each is
refused by name and nothing changes; the valid body alone changes only declared fields."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.db import models, transaction
from django.urls import get_resolver, reverse
from rest_framework.test import APIClient

from bangfu.accounts.models import User
from bangfu.archives.models import AnnualReview, Household
from bangfu.archives.tests.factories import make_area, make_household, make_id_number
from bangfu.assistance.models import Application, FollowUp, Programme
from bangfu.assistance.services import ApplicationInput, application_create, followup_schedule
from bangfu.assistance.tests.factories import make_programme
from bangfu.funds import bankfiles
from bangfu.funds.models import BankBatch, Commitment, Income, Payment, Sample, SampleCheck
from bangfu.funds.models import Book as FundsBook
from bangfu.funds.services.banking import batch_create
from bangfu.funds.services.commitments import commitment_make
from bangfu.funds.services.payments import payment_prepare
from bangfu.funds.tests.factories import make_book, make_finance, make_income
from bangfu.kits.workflow.models import Case, Review, SignOff, Visit
from bangfu.network.models import OrgUnit
from bangfu.notices.models import Notice, Objection
from bangfu.notices.services import (
    NoticeItemInput,
    notice_create,
    notice_publish,
    objection_record,
)
from bangfu.petitions.models import Petition
from bangfu.petitions.tests.factories import register as register_petition

pytestmark = pytest.mark.django_db


def _value(field: models.Field) -> Any:
    """A plausible value for a field, different from what a new row holds."""
    if field.choices:
        return [value for value, _label in field.choices][-1]
    if isinstance(field, models.BooleanField):
        return True
    if isinstance(field, models.ForeignKey | models.IntegerField | models.AutoField):
        return 1
    if isinstance(field, models.DateTimeField):
        return "2020-01-01T00:00:00+08:00"
    if isinstance(field, models.DateField):
        return "2020-01-01"
    if isinstance(field, models.DecimalField):
        return "1.00"
    if isinstance(field, models.JSONField):
        return ["x"]
    return "9999-00001"


def _row(model: type[models.Model]) -> list[tuple[Any, ...]]:
    names = [f.attname for f in model._meta.concrete_fields if f.name not in ("updated_at",)]
    return list(model.objects.order_by("pk").values_list(*names))


@dataclass
class Endpoint:
    route: str
    method: str
    model: type[models.Model]
    kwargs: Callable[[Any], dict[str, Any]]
    body: Callable[[Any], dict[str, Any]]
    user: str = "staff"


def _household_body(ctx: Any) -> dict[str, Any]:
    return {
        "unit": ctx.network.station_a.pk,
        "area": ctx.area.pk,
        "applied_on": "2026-03-02",
        "name": "新申请",
        "id_number": make_id_number(seq=871),
        "work_status": "laid_off",
        "housing": "owned",
        "marital_status": "married",
        "hukou": "urban",
        "address": "响水乡",
        "medical_insurance": "employee",
        "main_cause": 3,
    }


def _objection(ctx: Any) -> Objection:
    """An objection to a published notice listing the active archive (made once per test)."""
    existing = Objection.objects.filter(item__subject_id=ctx.active.pk).first()
    if existing is not None:
        return existing
    staff = ctx.users["staff"]
    notice = notice_create(
        actor=staff,
        unit=ctx.network.township,
        kind="archive",
        title="困难职工建档公示",
        body="",
        items=[
            NoticeItemInput(subject=ctx.active, person_name="在档户", unit_name="响水社区帮扶站")
        ],
    )
    notice = notice_publish(actor=staff, notice=notice)
    return objection_record(
        actor=staff,
        notice=notice,
        item=notice.items.get(),
        received_on=notice.starts_on,
        channel="phone",
        from_name="",
        contact="",
        content="有收入未申报",
    )


def _update_body(ctx: Any) -> dict[str, Any]:
    body = _household_body(ctx)
    body.update(id_number=ctx.active.id_number, name="改名")
    return body


ENDPOINTS = [
    Endpoint("api:household_create", "post", Household, lambda ctx: {}, _household_body),
    # A search sent by POST (a whole ID never in a URL): it writes nothing, and refuses what it
    # does not declare like every other body.
    Endpoint("api:household_search", "post", Household, lambda ctx: {}, lambda ctx: {"q": "张"}),
    Endpoint(
        "api:household_update",
        "put",
        Household,
        lambda ctx: {"household_id": ctx.active.pk},
        _update_body,
    ),
    Endpoint(
        "api:household_close",
        "post",
        Household,
        lambda ctx: {"household_id": ctx.active.pk},
        lambda ctx: {"close_reason": "transferred", "closed_on": "2026-01-06"},
    ),
    Endpoint(
        "api:household_reopen",
        "post",
        Household,
        lambda ctx: {"household_id": ctx.closed.pk},
        lambda ctx: {"reason": "调回"},
    ),
    # The filing procedure: each action's body, beside every field of the record it writes.
    *[
        Endpoint(
            f"api:procedure_{name}",
            "post",
            model,
            lambda ctx: {"household_id": ctx.active.pk},
            body,
        )
        for name, model, body in [
            ("consent", Household, lambda ctx: {"kind": "publication", "given_on": "2026-03-01"}),
            (
                "visit",
                Visit,
                lambda ctx: {
                    "visited_on": "2026-03-05",
                    "visitors": ["甲", "乙"],
                    "findings": "属实",
                    "recommendation": "agree",
                },
            ),
            (
                "review",
                Review,
                lambda ctx: {
                    "held_on": "2026-03-10",
                    "participants": "代表",
                    "votes_for": 5,
                    "votes_against": 0,
                    "passed": True,
                    "record": "同意",
                },
            ),
            ("notice", Notice, lambda ctx: {"starts_on": None}),
            ("submit", Case, lambda ctx: {"note": "期满无异议"}),
            ("decide", SignOff, lambda ctx: {"outcome": "returned", "reason": "补材料"}),
            (
                "objection",
                Objection,
                lambda ctx: {
                    "received_on": "2026-03-12",
                    "channel": "phone",
                    "from_name": "",
                    "contact": "",
                    "content": "有收入未申报",
                },
            ),
        ]
    ],
    Endpoint(
        "api:procedure_objection_settle",
        "post",
        Objection,
        lambda ctx: {"household_id": ctx.active.pk, "objection_id": _objection(ctx).pk},
        lambda ctx: {"upheld": False, "resolution": "经核实不属实"},
    ),
    Endpoint(
        "api:annual_review_create",
        "post",
        AnnualReview,
        lambda ctx: {"household_id": ctx.active.pk},
        lambda ctx: {"reviewed_on": "2026-03-01", "outcome": "continue", "findings": "正常"},
    ),
    Endpoint(
        "api:household_reveal",
        "post",
        Household,
        lambda ctx: {"household_id": ctx.active.pk},
        lambda ctx: {"purpose": "核对"},
    ),
    Endpoint(
        "api:orgunit_create",
        "post",
        OrgUnit,
        lambda ctx: {},
        lambda ctx: {
            "parent": ctx.network.township.pk,
            "name": "新站",
            "kind": "station",
            "station_type": "community",
        },
    ),
    Endpoint(
        "api:orgunit_update",
        "put",
        OrgUnit,
        lambda ctx: {"unit_id": ctx.network.station_b.pk},
        lambda ctx: {
            "parent": ctx.network.township.pk,
            "name": "金霞站",
            "kind": "station",
            "station_type": "community",
        },
    ),
    Endpoint(
        "api:orgunit_update",
        "patch",
        OrgUnit,
        lambda ctx: {"unit_id": ctx.network.station_b.pk},
        lambda ctx: {"name": "金霞新站"},
    ),
    Endpoint(
        "api:user_create",
        "post",
        User,
        lambda ctx: {},
        lambda ctx: {"username": "newcomer", "full_name": "新人", "unit": ctx.network.township.pk},
        user="sysadmin",
    ),
    Endpoint(
        "api:petition_create",
        "post",
        Petition,
        lambda ctx: {},
        lambda ctx: {
            "unit_id": ctx.network.township.pk,
            "channel": "visit",
            "category": "wages",
            "petitioner_name": "王建国",
            "request": "追讨欠薪",
            "facts": "三个月未发工资",
        },
    ),
    *[
        Endpoint(
            f"api:petition_{step}",
            "post",
            Petition,
            lambda ctx: {"petition_id": ctx.petition.pk},
            body,
        )
        for step, body in {
            "accept": lambda ctx: {"handling_unit_id": ctx.network.station_a.pk},
            "decline": lambda ctx: {"reason": "不属于受理范围"},
            "transfer": lambda ctx: {"body": "劳动监察大队", "reason": "职责"},
            "refer": lambda ctx: {"kind": "legal_aid", "reason": "需要法律援助"},
            "acknowledge": lambda ctx: {"method": "letter"},
            "extend": lambda ctx: {"days": 10, "reason": "情况复杂"},
            "reply": lambda ctx: {"outcome": "upheld", "decision": "支持", "basis": "条例"},
            "review_request": lambda ctx: {"reason": "不服"},
            "review_reply": lambda ctx: {"outcome": "upheld", "decision": "维持", "basis": "条例"},
            "recheck_request": lambda ctx: {"reason": "不服"},
            "recheck_reply": lambda ctx: {
                "outcome": "upheld",
                "decision": "维持",
                "basis": "条例",
            },
            "rate": lambda ctx: {"rating": "satisfied"},
        }.items()
    ],
    Endpoint(
        "api:assistance_application_create",
        "post",
        Application,
        lambda ctx: {},
        lambda ctx: {
            "household_id": ctx.active.pk,
            "programme_id": ctx.programme.pk,
            "period_start": "2026-01-20",
            "period_end": "2026-02-10",
        },
    ),
    *[
        Endpoint(
            f"api:assistance_application_{step}",
            "post",
            Application,
            lambda ctx: {"application_id": ctx.application.pk},
            body,
        )
        for step, body in {
            "submit": lambda ctx: {"received_on": "2026-03-02"},
            "visit": lambda ctx: {
                "visited_on": "2026-03-02",
                "visitors": ["甲", "乙"],
                "findings": "属实",
                "recommendation": "agree",
            },
            "review": lambda ctx: {
                "held_on": "2026-03-02",
                "participants": "代表",
                "votes_for": 5,
                "votes_against": 0,
                "passed": True,
                "record": "同意",
            },
            "notice": lambda ctx: {"starts_on": None},
            "send": lambda ctx: {"note": ""},
            "signoff": lambda ctx: {"outcome": "approved", "opinion": ""},
        }.items()
    ],
    Endpoint(
        "api:funds_income_create",
        "post",
        Income,
        lambda ctx: {"book_id": _funds_book(ctx).pk},
        lambda ctx: {
            "kind": "allocation",
            "amount": "100",
            "date": "2026-03-02",
            "payer": "响水乡财政所",
        },
    ),
    Endpoint(
        "api:funds_batch_create",
        "post",
        BankBatch,
        lambda ctx: {"book_id": _funds_book(ctx).pk},
        lambda ctx: {"commitment_ids": [_commitment(ctx, 1).pk]},
    ),
    Endpoint(
        "api:funds_batch_send",
        "post",
        BankBatch,
        lambda ctx: {"bank_batch_id": _bank_batch(ctx).pk},
        lambda ctx: {"sent_on": "2026-04-05"},
    ),
    Endpoint(
        "api:funds_batch_return",
        "post",
        Payment,
        lambda ctx: {"bank_batch_id": _bank_batch(ctx).pk},
        lambda ctx: {"filename": "回盘.csv", "content": "YQ==", "date": "2026-04-08"},
    ),
    Endpoint(
        "api:funds_payment_prepare",
        "post",
        Payment,
        lambda ctx: {"commitment_id": _commitment(ctx, 2).pk},
        lambda ctx: {"signer": "head"},
    ),
    Endpoint(
        "api:funds_payment_scan",
        "post",
        Payment,
        lambda ctx: {"payment_id": _slip(ctx).pk},
        lambda ctx: {"filename": "s.pdf", "content_type": "application/pdf", "content": "JVBERg=="},
    ),
    Endpoint(
        "api:funds_payment_confirm",
        "post",
        Payment,
        lambda ctx: {"payment_id": _slip(ctx).pk},
        lambda ctx: {"paid_on": "2026-04-10"},
    ),
    Endpoint(
        "api:funds_sample_draw",
        "post",
        Sample,
        lambda ctx: {"book_id": _funds_book(ctx).pk},
        lambda ctx: {"after_sample_id": 0},
    ),
    Endpoint(
        "api:funds_check_record",
        "post",
        SampleCheck,
        lambda ctx: {"check_id": _sample_check(ctx).pk},
        lambda ctx: {
            "method": "visit",
            "checked_on": "2026-04-12",
            "outcome": "mismatch",
            "notes": "不相符",
        },
    ),
    Endpoint(
        "api:funds_check_close",
        "post",
        SampleCheck,
        lambda ctx: {"check_id": _sample_check(ctx).pk},
        lambda ctx: {"resolution": "已核实处理"},
    ),
    Endpoint(
        "api:assistance_followup_record",
        "post",
        FollowUp,
        lambda ctx: {"followup_id": _followup(ctx).pk},
        lambda ctx: {"done_on": "2026-03-20", "outcome": "improved", "notes": "已返岗"},
    ),
]


def _funds_book(ctx: Any) -> FundsBook:
    """The township's book of 2026 with 20,000 yuan in it (made once per test)."""
    book = FundsBook.objects.filter(unit=ctx.network.township, year=2026).first()
    if book is None:
        finance = make_finance(ctx.network.township, username="finance_ma")
        book = make_book(ctx.network.township, actor=finance)
        make_income(book, actor=finance, amount="20000", date=date(2026, 1, 15))
    return book


def _commitment(ctx: Any, n: int) -> Commitment:
    """Commitment `n` of the book, to the active archive (its bank card passing Luhn)."""
    book = _funds_book(ctx)
    existing = Commitment.objects.filter(book=book, subject_id=n).first()
    if existing is not None:
        return existing
    card = next(
        "621700001000000001" + c
        for c in "0123456789"
        if bankfiles.luhn_ok("621700001000000001" + c)
    )
    Household.objects.filter(pk=ctx.active.pk).update(bank_card=card)
    ctx.active.refresh_from_db()
    with transaction.atomic():
        return commitment_make(
            actor=User.objects.get(username="finance_ma"),
            book=book,
            programme="living",
            amount="300",
            date=date(2026, 4, 1),
            subject_type="test.item",
            subject_id=n,
            subject_label=f"生活救助 在档户 {n}",
            recipient_name="在档户",
            household=ctx.active,
        )


def _bank_batch(ctx: Any) -> BankBatch:
    book = _funds_book(ctx)
    existing = BankBatch.objects.filter(book=book).first()
    if existing is not None:
        return existing
    finance = User.objects.get(username="finance_ma")
    return batch_create(actor=finance, book=book, commitments=[_commitment(ctx, 1)])


def _slip(ctx: Any) -> Payment:
    commitment = _commitment(ctx, 2)
    existing = Payment.objects.filter(commitment=commitment).first()
    if existing is not None:
        return existing
    finance = User.objects.get(username="finance_ma")
    return payment_prepare(actor=finance, commitment=commitment, signer="head")


def _sample_check(ctx: Any) -> SampleCheck:
    """A sample of the book holding the slip's payment (made once per test; the refusals
    looked at here never reach the services)."""
    payment = _slip(ctx)
    existing = SampleCheck.objects.filter(payment=payment).first()
    if existing is not None:
        return existing
    sample = Sample.objects.create(
        book=_funds_book(ctx),
        drawn_on=date(2026, 4, 10),
        seed=1,
        confidence=Decimal("0.95"),
        margin=Decimal("0.10"),
        population=1,
        size=1,
        created_by=User.objects.get(username="finance_ma"),
    )
    return SampleCheck.objects.create(sample=sample, payment=payment)


def _followup(ctx: Any) -> FollowUp:
    """The follow-up of the context's application, approved and paid on 2026-03-10."""
    Application.objects.filter(pk=ctx.application.pk).update(status=Application.Status.APPROVED)
    return followup_schedule(application=ctx.application, paid_on=date(2026, 3, 10))


@dataclass
class Context:
    network: Any
    area: Any
    active: Household
    closed: Household
    users: dict[str, User]
    petition: Petition
    programme: Programme
    application: Application


@pytest.fixture
def ctx(network, staff, sysadmin, security_admin) -> Context:
    area = make_area()
    active = make_household(network.station_a, filed_by=staff, area=area, name="在档户")
    closed = make_household(
        network.station_b,
        filed_by=staff,
        area=area,
        name="撤档户",
        status=Household.Status.CLOSED,
        closed_on=date(2025, 1, 1),
    )
    users = {"staff": staff, "sysadmin": sysadmin, "security": security_admin}
    petition = register_petition(staff, network.township)
    programme = make_programme(
        network.township, staff, kind="festival", rules={"standard_amount": Decimal("500")}
    )
    application = application_create(
        actor=staff,
        household_id=active.pk,
        data=ApplicationInput(
            programme=programme, period_start=date(2026, 3, 1), period_end=date(2026, 3, 31)
        ),
    )
    return Context(network, area, active, closed, users, petition, programme, application)


def _client(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


_SCHEMA: dict[str, Any] = {}


def _declared(url: str, method: str) -> set[str]:
    """Return the input fields the OpenAPI schema declares for the operation at `url`."""
    if not _SCHEMA:
        from drf_spectacular.generators import SchemaGenerator

        _SCHEMA.update(SchemaGenerator().get_schema(request=None, public=True))
    components = _SCHEMA["components"]["schemas"]
    for template, operations in _SCHEMA["paths"].items():
        if re.fullmatch(re.sub(r"\{[^}]+\}", "[^/]+", template), url) and method in operations:
            body = operations[method]["requestBody"]["content"]["application/json"]["schema"]
            return set(components[body["$ref"].rsplit("/", 1)[1]]["properties"])
    raise AssertionError(f"{method} {url} is not in the schema")


def _write_routes() -> set[tuple[str, str]]:
    """Every (route, method) of Bangfu's API that writes."""
    found = set()
    for pattern in _patterns(get_resolver()):
        view = getattr(pattern.callback, "cls", None)
        if view is None or not view.__module__.startswith("bangfu."):
            continue
        for method in ("post", "put", "patch"):
            if hasattr(view, method):
                found.add((f"api:{pattern.name}", method))
    return found


def _patterns(resolver: Any) -> list[Any]:
    from django.urls import URLPattern, URLResolver

    result = []
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            result += _patterns(pattern)
        elif isinstance(pattern, URLPattern):
            result.append(pattern)
    return result


def test_every_write_endpoint_of_the_api_is_checked_here():
    covered = {(e.route, e.method) for e in ENDPOINTS}
    # Trading a password for a token writes a token only: its own tests cover it.
    # Logging out of the API takes no body at all.
    exempt = {("api:token", "post"), ("api:token_logout", "post"), ("api:token_logout_all", "post")}

    assert _write_routes() - exempt - covered == set()


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: f"{e.route}-{e.method}")
def test_undeclared_fields_are_refused_by_name_and_change_nothing(ctx, endpoint):
    # given: the valid body, and every field of the model that the endpoint does not declare
    url = reverse(endpoint.route, kwargs=endpoint.kwargs(ctx))
    declared = _declared(url, endpoint.method)
    assert set(endpoint.body(ctx)) <= declared
    undeclared = [
        f
        for f in endpoint.model._meta.concrete_fields
        if f.name not in declared and f.attname not in declared
    ]
    client = _client(ctx.users[endpoint.user])
    before = _row(endpoint.model)
    refused: list[str] = []

    # when: each undeclared field is sent beside the valid body
    for field in undeclared:
        body = {**endpoint.body(ctx), field.name: _value(field)}
        response = getattr(client, endpoint.method)(url, body, format="json")
        if response.status_code == 400 and field.name in response.json()["errors"]:
            refused.append(field.name)

    # then
    assert refused == [f.name for f in undeclared]
    assert _row(endpoint.model) == before


def test_the_api_cannot_mark_an_archive_as_imported(ctx):
    # given
    client = _client(ctx.users["staff"])

    # when: a create says origin=import, an update says origin=union
    create = client.post(
        reverse("api:household_create"), {**_household_body(ctx), "origin": "import"}
    )
    update = client.put(
        reverse("api:household_update", args=[ctx.active.pk]),
        {**_update_body(ctx), "origin": "union"},
    )

    # then
    assert create.status_code == 400
    assert create.json()["errors"] == {"origin": "“建档来源”:“import” 不是合法选项。"}
    assert update.status_code == 400
    assert update.json()["errors"] == {
        "origin": "“origin”:接口不接受此字段(未声明、只读或由系统设定)。"
    }
    ctx.active.refresh_from_db()
    assert ctx.active.origin == Household.Origin.APPLICATION
    assert not Household.objects.filter(name="新申请").exists()


def test_a_valid_update_changes_only_declared_fields(ctx):
    # given
    names = [f.attname for f in Household._meta.concrete_fields]
    before = Household.objects.filter(pk=ctx.active.pk).values(*names).get()

    # when
    response = _client(ctx.users["staff"]).put(
        reverse("api:household_update", args=[ctx.active.pk]), _update_body(ctx)
    )

    # then
    assert response.status_code == 200, response.json()
    after = Household.objects.filter(pk=ctx.active.pk).values(*names).get()
    changed = {name for name in names if before[name] != after[name]}
    assert changed - {"updated_at"} <= {
        "name",
        "name_initials",
        "address",
        "applied_on",
        "work_status",
        "housing",
        "marital_status",
        "hukou",
        "medical_insurance",
        "main_cause",
        "mobile",
        "mobile_last4",
        "mobile_index",
        "mobile_masked",
        "latest_determination",
        "net_income_under_line",
        "head_monthly_income",
        "wage_income",
        "notes",
        "consent_sensitive_on",
        "consent_publication_on",
        "category",
        "determination_reason",
    }
    assert after["name"] == "改名"
    assert after["origin"] == before["origin"]
    assert after["archive_no"] == before["archive_no"]
    assert after["status"] == before["status"]


def test_a_valid_create_takes_the_filers_origin(ctx):
    response = _client(ctx.users["staff"]).post(
        reverse("api:household_create"), {**_household_body(ctx), "origin": "union"}
    )

    assert response.status_code == 201, response.json()
    assert Household.objects.get(name="新申请").origin == Household.Origin.UNION


def test_nested_members_take_only_their_declared_fields(ctx):
    body = _household_body(ctx)
    body["members"] = [{"name": "李四", "relation": "spouse", "household": ctx.active.pk}]

    response = _client(ctx.users["staff"]).post(reverse("api:household_create"), body)

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["members.0.household"]
    assert not Household.objects.filter(name="新申请").exists()


def test_the_schema_says_request_bodies_take_no_other_fields(client, staff):
    client.force_login(staff)
    schema = client.get(reverse("api:schema"), HTTP_ACCEPT="application/json").json()
    bodies = [
        op["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
        for path in schema["paths"].values()
        for op in path.values()
        if isinstance(op, dict) and "requestBody" in op
    ]

    assert bodies
    components = schema["components"]["schemas"]
    assert {name: components[name].get("additionalProperties") for name in bodies} == dict.fromkeys(
        bodies, False
    )
