"""GET never changes anything, and no page or API write works without the CSRF token.

With the demo data loaded, every page of core, accounts, network, notices and archives that can
be reversed is fetched with GET by a user of each role; afterwards no table has gained, lost or
updated a row and no audit event was written. Only the access log may grow: opening an archive
or printing its form (masked) is logged by design.
"""

from __future__ import annotations

from datetime import date
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import NoReverseMatch, get_resolver, reverse

from bangfu.accounts.models import RoleAssignment, User
from bangfu.archives.models import (
    Area,
    Attachment,
    BenefitType,
    DibaoStandard,
    Household,
    HouseholdBenefit,
    HouseholdMember,
    ImportBatch,
    MinimumWage,
    Reevaluation,
    ReevaluationItem,
    SpotCheck,
    SpotCheckItem,
)
from bangfu.archives.services.exporting import ROSTER_KIND
from bangfu.assistance.models import Application, CampaignBatch, FollowUp, Programme
from bangfu.core.models import AuditEvent, CalendarConfirmation, CalendarDay, Job
from bangfu.funds.models import BankBatch as FundsBankBatch
from bangfu.funds.models import Book as FundsBook
from bangfu.funds.models import Commitment as FundsCommitment
from bangfu.funds.models import DonationReceipt
from bangfu.funds.models import Entry as FundsEntry
from bangfu.funds.models import Payment as FundsPayment
from bangfu.funds.models import Sample as FundsSample
from bangfu.funds.models import SampleCheck as FundsSampleCheck
from bangfu.kits.exports.models import Export
from bangfu.network.models import OrgUnit, UnitPerson
from bangfu.notices.models import Notice, Objection
from bangfu.petitions.models import Attachment as PetitionAttachment
from bangfu.petitions.models import Petition
from bangfu.petitions.models import Reply as PetitionReply

pytestmark = pytest.mark.django_db

NAMESPACES = (
    "workbench",
    "accounts",
    "network",
    "notices",
    "archives",
    "petitions",
    "assistance",
    "funds",
)
USERS = ("admin", "security", "auditor", "supervisor", "leader", "staff", "finance", "liaison1")
# Tables a GET may write to: the access log (masked views), sessions and log-in tracking.
# (Drawing a CAPTCHA writes nothing: only the POST that answers it records the key as used.)
MAY_CHANGE = {
    "core_accesslog",
    "django_session",
    "axes_accessattempt",
    "axes_accesslog",
}

# The model a route's "pk" names, by route name; every other archives route names an archive.
PK_MODEL: dict[str, Any] = {
    "archives:member_update": HouseholdMember,
    "archives:member_remove": HouseholdMember,
    "archives:attachment_download": Attachment,
    "archives:attachment_withdraw": Attachment,
    "archives:benefit_type_edit": BenefitType,
    "archives:dibao_standard_create": Area,
    "archives:minimum_wage_create": Area,
    "archives:standard_area_detail": Area,
    "archives:dibao_standard_delete": DibaoStandard,
    "archives:minimum_wage_delete": MinimumWage,
    "archives:household_benefit_end": HouseholdBenefit,
    "archives:reevaluation_detail": Reevaluation,
    "archives:reevaluation_confirm_all": Reevaluation,
    "archives:reevaluation_dismiss_all": Reevaluation,
    "archives:reevaluation_item_confirm": ReevaluationItem,
    "archives:reevaluation_item_dismiss": ReevaluationItem,
    "archives:spot_check_detail": SpotCheck,
    "archives:spot_check_item_record": SpotCheckItem,
    "notices:objection_settle": Objection,
    "workbench:calendar_confirmation": CalendarConfirmation,
    "petitions:attachment_download": PetitionAttachment,
    "petitions:attachment_withdraw": PetitionAttachment,
    "assistance:programme_detail": Programme,
    "assistance:rule_revise": Programme,
    "assistance:followup_record": FollowUp,
    **{
        f"assistance:batch_{page}": CampaignBatch
        for page in ("detail", "submit", "review", "notice", "send", "signoff")
    },
    "funds:entry_detail": FundsEntry,
    "funds:entry_reverse": FundsEntry,
    "funds:receipt_pdf": DonationReceipt,
    "funds:receipt_void": DonationReceipt,
    "funds:payment_prepare": FundsCommitment,
    "funds:payment_detail": FundsPayment,
    "funds:payment_slip": FundsPayment,
    "funds:payment_scan": FundsPayment,
    "funds:payment_confirm": FundsPayment,
    "funds:batch_detail": FundsBankBatch,
    "funds:batch_xlsx": FundsBankBatch,
    "funds:batch_csv": FundsBankBatch,
    "funds:batch_send": FundsBankBatch,
    "funds:batch_return": FundsBankBatch,
    "funds:payment_scan_file": FundsPayment,
    "funds:sample_detail": FundsSample,
    "funds:check_record": FundsSampleCheck,
    "funds:check_close": FundsSampleCheck,
}
PREFIX_MODEL = {
    "archives:": Household,
    "notices:": Notice,
    "petitions:": Petition,
    "assistance:": Application,
    "funds:": FundsBook,
    "network:person_": UnitPerson,
    "network:": OrgUnit,
    "accounts:": User,
}


def _routes(namespaces: tuple[str, ...] = NAMESPACES) -> list[tuple[str, tuple[str, ...]]]:
    resolver = get_resolver()
    routes = set()
    for namespace in namespaces:
        sub = resolver.namespace_dict[namespace][1]
        for name, entries in sub.reverse_dict.lists():
            if isinstance(name, str):
                routes.add((f"{namespace}:{name}", tuple(entries[0][0][0][1])))
    return sorted(routes)


def _pk_model(route: str) -> Any:
    if route in PK_MODEL:
        return PK_MODEL[route]
    for prefix, model in PREFIX_MODEL.items():
        if route.startswith(prefix):
            return model
    raise AssertionError(f"no model known for {route}")


def _kwargs(route: str, params: tuple[str, ...], owner: User) -> list[dict[str, Any]]:
    """Return the argument sets to try for a route: one per object (a few of each kind)."""
    if not params:
        return [{}]
    if params == ("seq",):
        return [{"seq": AuditEvent.objects.order_by("seq").values_list("seq", flat=True)[0]}]
    if params == ("day",):
        return [{"day": CalendarDay.objects.get().date.isoformat()}]
    if params == ("year",):
        return [{"year": 2027}]
    if params == ("job_id",):
        return [{"job_id": job.pk} for job in Job.objects.filter(user=owner)]
    if params == ("batch_id",):
        return [{"batch_id": b.pk} for b in ImportBatch.objects.filter(created_by=owner)]
    if params == ("export_id",):
        return [{"export_id": e.pk} for e in Export.objects.filter(created_by=owner)]
    if params == ("key",):
        from bangfu.accounts.models import ApiToken

        return [{"key": t.token_key} for t in ApiToken.objects.order_by("created")[:2]]
    if params == ("change_pk",):
        from bangfu.accounts.models import AccountChange

        return [{"change_pk": c.pk} for c in AccountChange.objects.order_by("pk")[:1]]
    if params == ("unit_pk",):
        return [{"unit_pk": OrgUnit.objects.order_by("pk").values_list("pk", flat=True)[0]}]
    if params == ("pk", "assignment_pk"):
        return [{"pk": a.user_id, "assignment_pk": a.pk} for a in RoleAssignment.objects.all()[:2]]
    if params == ("pk", "stage"):
        return [{"pk": r.petition_id, "stage": r.stage} for r in PetitionReply.objects.all()[:3]]
    if params == ("household_id", "objection_id"):
        from bangfu.notices.models import Objection

        objections = Objection.objects.exclude(item=None).order_by("pk")[:1]
        return [{"household_id": o.item.subject_id, "objection_id": o.pk} for o in objections] or [
            {"household_id": Household.objects.order_by("pk")[0].pk, "objection_id": 1}
        ]
    if params == ("followup_id",):
        # The demo pays nothing yet that schedules a follow-up: none, nothing to fetch.
        return [{"followup_id": pk} for pk in FollowUp.objects.values_list("pk", flat=True)[:1]]
    api_models: dict[str, Any] = {
        "household_id": Household,
        "unit_id": OrgUnit,
        "user_id": User,
        "petition_id": Petition,
        "application_id": Application,
        "book_id": FundsBook,
        "bank_batch_id": FundsBankBatch,
        "commitment_id": FundsCommitment,
        "payment_id": FundsPayment,
        "check_id": FundsSampleCheck,
    }
    if len(params) == 1 and params[0] in api_models:
        model = api_models[params[0]]
        return [{params[0]: model.objects.order_by("pk").values_list("pk", flat=True)[0]}]
    assert params == ("pk",), (route, params)
    model = _pk_model(route)
    if model is Household:
        # One archive in each state (draft, applied, ..., active, closed).
        seen: dict[str, int] = {}
        for pk, status in Household.objects.order_by("pk").values_list("pk", "status"):
            seen.setdefault(status, pk)
        return [{"pk": pk} for pk in seen.values()]
    if model is Petition:
        # One petition in each state, and the restricted report.
        seen = {
            "restricted": Petition.objects.filter(restricted=True).values_list("pk", flat=True)[0]
        }
        for pk, status in Petition.objects.order_by("pk").values_list("pk", "status"):
            seen.setdefault(status, pk)
        return [{"pk": pk} for pk in seen.values()]
    return [{"pk": pk} for pk in model.objects.order_by("pk").values_list("pk", flat=True)[:2]]


def _state_query() -> tuple[list[str], str]:
    """Return the tables watched and one query reading, per table, what tells a write.

    PostgreSQL: this transaction's own inserts, updates and deletes of each table (the test and
    its requests share one transaction) — every write, also one that leaves `updated_at`
    alone, at a fraction of the cost of counting every table twice a request. Elsewhere: each
    table's row count and its latest `updated_at` (when it has one)."""
    if connection.vendor == "postgresql":
        watched = "', '".join(sorted(MAY_CHANGE))
        return [], (
            "SELECT relname, n_tup_ins, n_tup_upd, n_tup_del FROM pg_stat_xact_user_tables"
            f" WHERE relname NOT IN ('{watched}')"
        )
    tables, parts = [], []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            if table in MAY_CHANGE:
                continue
            description = connection.introspection.get_table_description(cursor, table)
            columns = {column.name for column in description}
            quoted = connection.ops.quote_name(table)
            latest = f"(SELECT MAX(updated_at) FROM {quoted})" if "updated_at" in columns else "0"
            tables.append(table)
            parts.append(f"(SELECT COUNT(*) FROM {quoted}), {latest}")
    return tables, "SELECT " + ", ".join(parts)


def _state(query: tuple[list[str], str] | None = None) -> dict[str, tuple[Any, ...]]:
    tables, sql = query or _state_query()
    with connection.cursor() as cursor:
        cursor.execute(sql)
        if not tables:  # PostgreSQL: a row per table
            return {row[0]: tuple(row[1:]) for row in cursor.fetchall()}
        row = cursor.fetchone()
    return {table: (row[2 * i], row[2 * i + 1]) for i, table in enumerate(tables)}


def _changed(before: dict[str, tuple[Any, ...]], after: dict[str, tuple[Any, ...]]) -> list[str]:
    return [table for table in after if before.get(table) != after[table]]


@pytest.fixture
def demo(settings, monkeypatch, tmp_path):
    """The demo data, plus one of each object the demo does not make (an attachment, an import,
    an export, a job, a holiday entry), and WeasyPrint replaced by a stand-in (speed)."""
    settings.MEDIA_ROOT = str(tmp_path)

    class FakeHTML:
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            pass

        def write_pdf(self, *args: Any, **kwargs: Any) -> bytes:
            return b"%PDF-1.7 fake"

    monkeypatch.setattr("weasyprint.HTML", FakeHTML)
    monkeypatch.setattr("bangfu.network.mapexport.pdf_to_png", lambda pdf, **kw: b"\x89PNG fake")
    call_command("seed_demo", stdout=StringIO())
    staff = User.objects.get(username="staff")
    household = Household.objects.filter(status=Household.Status.ACTIVE).order_by("pk")[0]
    from django.core.files.uploadedfile import SimpleUploadedFile

    from bangfu.archives.services import attachments

    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
    attachments.attachment_upload(
        user=staff,
        household=household,
        kind=Attachment.Kind.OTHER,
        file=SimpleUploadedFile("x.png", png),
        name="x.png",
    )
    from bangfu.petitions.services.attachments import attachment_upload as material_upload

    material_upload(
        actor=staff,
        petition=Petition.objects.order_by("pk")[0],
        kind="letter",
        file=SimpleUploadedFile("letter.png", png + b"letter"),
        name="letter.png",
    )
    from bangfu.archives.services import importing
    from bangfu.archives.tests import roster_files as rf

    content = rf.workbook([rf.head(1, "测试", rf.ids()["zhang"])])
    batch, table = importing.import_upload(user=staff, content=content, source_name="a.xlsx")
    importing.import_check(user=staff, batch=batch, table=table)
    from bangfu.kits.exports.services import export_request

    export_request(
        user=staff,
        kind=ROSTER_KIND,
        params={"status": "active"},
        filters_text="档案状态:在档",
        purpose="report",
    )
    Job.objects.create(user=staff, kind="test", title="test")
    from bangfu.accounts.models import ApiToken

    ApiToken.objects.create(user=staff, name="报表程序")
    from bangfu.accounts.services import account_change_propose

    account_change_propose(
        actor=User.objects.get(username="admin"),
        target=User.objects.get(username="auditor"),
        kind="deactivate",
        payload={},
    )
    CalendarDay.objects.create(
        date=date(2026, 10, 9), is_workday=False, name="test", created_by=staff
    )
    CalendarConfirmation.objects.create(year=2026, source="package", confirmed_by=staff)
    return staff


def test_no_get_of_any_page_changes_anything_for_any_role(demo):
    # given
    routes = _routes()
    changes: list[str] = []
    fetched = set()
    query = _state_query()

    # when
    for username in USERS:
        user = User.objects.get(username=username)
        client = Client()
        client.force_login(user)
        for route, params in routes:
            for kwargs in _kwargs(route, params, demo):
                try:
                    url = reverse(route, kwargs=kwargs)
                except NoReverseMatch:
                    continue
                before = _state(query)
                response = client.get(url)
                after = _state(query)
                fetched.add((route, response.status_code))
                if _changed(before, after):  # core_auditevent is one of the tables
                    changes.append(f"{username} GET {url} ({route}): {_changed(before, after)}")

    # then
    assert len({route for route, status in fetched if status == 200}) >= 70
    assert "\n".join(changes) == ""


def csrf_failed(request: HttpRequest, reason: str = "") -> HttpResponse:
    return HttpResponse(b"CSRF refused", status=403)


def test_every_page_refuses_a_post_without_the_csrf_token(demo, settings):
    # given: a refusal for the missing token is told apart from one for a missing permission
    settings.CSRF_FAILURE_VIEW = f"{__name__}.csrf_failed"
    client = Client(enforce_csrf_checks=True)
    client.force_login(User.objects.get(username="admin"))
    refused: list[str] = []
    accepted: list[str] = []
    before, events = _state(), AuditEvent.objects.count()

    # when
    for route, params in _routes((*NAMESPACES, "api")):
        if route in ("api:token", "accounts:csp_report"):
            # Trades a user name and password for a token: no session, nothing to forge.
            continue
        for kwargs in _kwargs(route, params, demo)[:1]:
            url = reverse(route, kwargs=kwargs)
            if route.startswith("api:"):  # the API takes JSON bodies only
                response = client.post(url, {"purpose": "x"}, content_type="application/json")
            else:
                response = client.post(url, {"purpose": "x"})
            csrf = response.status_code == 403 and b"CSRF" in response.content
            (refused if csrf else accepted).append(f"{route} {response.status_code}")

    # then
    assert accepted == []
    assert len(refused) >= 100
    assert (_changed(before, _state()), AuditEvent.objects.count()) == ([], events)


def test_no_view_is_exempt_from_csrf():
    from django.urls import URLPattern, URLResolver

    def walk(patterns: list[Any]) -> list[Any]:
        found = []
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                found += walk(pattern.url_patterns)
            elif isinstance(pattern, URLPattern):
                found.append(pattern)
        return found

    exempt = [
        p.name
        for p in walk(get_resolver().url_patterns)
        if getattr(p.callback, "csrf_exempt", False)
        # DRF marks its views exempt and enforces CSRF itself for session log-ins (see above).
        and not hasattr(p.callback, "cls")
    ]
    # Browsers post CSP reports without a token; the endpoint only stores a bounded report.
    assert exempt == ["csp_report"]


def test_the_watch_sees_a_new_row_and_a_removed_one(demo):
    # given: the state read as the walks above read it
    query = _state_query()
    before = _state(query)

    # when: a row is added to one table and removed from another
    CalendarDay.objects.create(date=date(2026, 10, 10), is_workday=True, name="x", created_by=demo)
    Job.objects.filter(kind="test").delete()

    # then
    assert set(_changed(before, _state(query))) == {"core_calendarday", "core_job"}


@pytest.mark.postgres
def test_on_postgresql_the_watch_sees_an_update_that_leaves_updated_at_alone(demo):
    # given
    query = _state_query()
    before = _state(query)

    # when: a column changed by SQL, no updated_at touched, the row count unchanged
    with connection.cursor() as cursor:
        cursor.execute("UPDATE core_job SET title = 'changed' WHERE kind = 'test'")

    # then
    assert _changed(before, _state(query)) == ["core_job"]
