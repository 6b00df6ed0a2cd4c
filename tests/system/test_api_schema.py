"""The OpenAPI schema and the Swagger UI page: complete, truthful, and offline."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.test import APIClient

from bangfu.accounts import policy

pytestmark = pytest.mark.django_db

# operationId → (method, path, the answers it must declare)
EXPECTED = {
    "token": ("post", "/api/token/", {"200", "400", "403", "429"}),
    "token_logout": ("post", "/api/token/logout/", {"200", "400", "403"}),
    "token_logout_all": ("post", "/api/token/logout-all/", {"200", "403"}),
    "me": ("get", "/api/me/", {"200", "403"}),
    "user_list": ("get", "/api/users/", {"200", "400", "403"}),
    "user_create": ("post", "/api/users/create/", {"201", "400", "403"}),
    "user_detail": ("get", "/api/users/{user_id}/", {"200", "403", "404"}),
    "orgunit_list": ("get", "/api/org-units/", {"200", "400", "403"}),
    "orgunit_create": ("post", "/api/org-units/create/", {"201", "400", "403"}),
    "orgunit_detail": ("get", "/api/org-units/{unit_id}/", {"200", "403", "404"}),
    "orgunit_update": ("put", "/api/org-units/{unit_id}/update/", {"200", "400", "403", "404"}),
    "orgunit_partial_update": (
        "patch",
        "/api/org-units/{unit_id}/update/",
        {"200", "400", "403", "404"},
    ),
    "orgunit_delete": ("delete", "/api/org-units/{unit_id}/delete/", {"204", "403", "404", "409"}),
    "household_list": ("get", "/api/households/", {"200", "400", "403"}),
    "household_search": ("post", "/api/households/search/", {"200", "400", "403"}),
    "household_create": ("post", "/api/households/create/", {"201", "400", "403"}),
    "household_detail": ("get", "/api/households/{household_id}/", {"200", "403", "404"}),
    "household_update": (
        "put",
        "/api/households/{household_id}/update/",
        {"200", "400", "403", "404", "409"},
    ),
    "household_reveal": (
        "post",
        "/api/households/{household_id}/reveal/",
        {"200", "400", "403", "404"},
    ),
    "household_close": (
        "post",
        "/api/households/{household_id}/close/",
        {"200", "400", "403", "404", "409"},
    ),
    "household_reopen": (
        "post",
        "/api/households/{household_id}/reopen/",
        {"200", "400", "403", "404", "409"},
    ),
    "annual_review_create": (
        "post",
        "/api/households/{household_id}/reviews/",
        {"201", "400", "403", "404", "409"},
    ),
    "petition_list": ("get", "/api/petitions/", {"200", "400", "403"}),
    "funds_book_list": ("get", "/api/funds/books/", {"200", "403"}),
    "funds_trial_balance": (
        "get",
        "/api/funds/books/{book_id}/trial-balance/",
        {"200", "403", "404"},
    ),
    "funds_budget": ("get", "/api/funds/books/{book_id}/budget/", {"200", "403", "404"}),
    "funds_payment_list": ("get", "/api/funds/books/{book_id}/payments/", {"200", "403", "404"}),
    "funds_batch_detail": ("get", "/api/funds/batches/{bank_batch_id}/", {"200", "403", "404"}),
    "funds_payable_list": ("get", "/api/funds/books/{book_id}/payable/", {"200", "403", "404"}),
    "funds_income_create": (
        "post",
        "/api/funds/books/{book_id}/incomes/",
        {"201", "400", "403", "404", "409"},
    ),
    "funds_batch_create": (
        "post",
        "/api/funds/books/{book_id}/batches/",
        {"201", "400", "403", "404", "409"},
    ),
    "funds_batch_send": (
        "post",
        "/api/funds/batches/{bank_batch_id}/send/",
        {"200", "400", "403", "404", "409"},
    ),
    "funds_batch_return": (
        "post",
        "/api/funds/batches/{bank_batch_id}/return/",
        {"200", "400", "403", "404", "409"},
    ),
    "funds_payment_prepare": (
        "post",
        "/api/funds/commitments/{commitment_id}/payments/",
        {"201", "400", "403", "404", "409"},
    ),
    "funds_payment_scan": (
        "post",
        "/api/funds/payments/{payment_id}/scan/",
        {"200", "400", "403", "404", "409"},
    ),
    "funds_payment_confirm": (
        "post",
        "/api/funds/payments/{payment_id}/confirm/",
        {"200", "400", "403", "404", "409"},
    ),
    "funds_sample_list": ("get", "/api/funds/books/{book_id}/samples/", {"200", "403", "404"}),
    "funds_sample_draw": (
        "post",
        "/api/funds/books/{book_id}/samples/draw/",
        {"201", "400", "403", "404", "409"},
    ),
    "funds_check_record": (
        "post",
        "/api/funds/checks/{check_id}/record/",
        {"200", "400", "403", "404", "409"},
    ),
    "funds_check_close": (
        "post",
        "/api/funds/checks/{check_id}/close/",
        {"200", "400", "403", "404", "409"},
    ),
    "petition_create": ("post", "/api/petitions/create/", {"201", "400", "403"}),
    "petition_detail": ("get", "/api/petitions/{petition_id}/", {"200", "403", "404"}),
    "assistance_programme_list": ("get", "/api/assistance/programmes/", {"200", "400", "403"}),
    "assistance_application_list": ("get", "/api/assistance/applications/", {"200", "400", "403"}),
    "assistance_application_create": (
        "post",
        "/api/assistance/applications/create/",
        {"201", "400", "403", "404"},
    ),
    "assistance_followup_list": ("get", "/api/assistance/followups/", {"200", "400", "403"}),
    "assistance_followup_record": (
        "post",
        "/api/assistance/followups/{followup_id}/record/",
        {"200", "400", "403", "404", "409"},
    ),
    "assistance_application_detail": (
        "get",
        "/api/assistance/applications/{application_id}/",
        {"200", "403", "404"},
    ),
    **{
        f"assistance_application_{step}": (
            "post",
            f"/api/assistance/applications/{{application_id}}/{step}/",
            {"200", "400", "403", "404", "409"},
        )
        for step in ("submit", "visit", "review", "notice", "send", "signoff")
    },
    **{
        f"petition_{step}": (
            "post",
            f"/api/petitions/{{petition_id}}/{step.replace('_', '-')}/",
            {"200", "400", "403", "404", "409"},
        )
        for step in (
            "accept",
            "decline",
            "transfer",
            "refer",
            "acknowledge",
            "extend",
            "reply",
            "review_request",
            "review_reply",
            "recheck_request",
            "recheck_reply",
            "rate",
        )
    },
    "procedure_detail": (
        "get",
        "/api/households/{household_id}/procedure/",
        {"200", "403", "404"},
    ),
    "procedure_consent": (
        "post",
        "/api/households/{household_id}/procedure/consent/",
        {"200", "400", "403", "404", "409"},
    ),
    "procedure_visit": (
        "post",
        "/api/households/{household_id}/procedure/visit/",
        {"200", "400", "403", "404", "409"},
    ),
    "procedure_review": (
        "post",
        "/api/households/{household_id}/procedure/review/",
        {"200", "400", "403", "404", "409"},
    ),
    "procedure_notice": (
        "post",
        "/api/households/{household_id}/procedure/notice/",
        {"200", "400", "403", "404", "409"},
    ),
    "procedure_submit": (
        "post",
        "/api/households/{household_id}/procedure/submit/",
        {"200", "400", "403", "404", "409"},
    ),
    "procedure_decide": (
        "post",
        "/api/households/{household_id}/procedure/decide/",
        {"200", "400", "403", "404", "409"},
    ),
    "procedure_objection": (
        "post",
        "/api/households/{household_id}/procedure/objections/",
        {"200", "400", "403", "404", "409"},
    ),
    "procedure_objection_settle": (
        "post",
        "/api/households/{household_id}/procedure/objections/{objection_id}/settle/",
        {"200", "400", "403", "404", "409"},
    ),
}


def _operations(schema: dict) -> dict[str, tuple[str, str, set[str]]]:
    return {
        op["operationId"]: (method, path, set(op["responses"]))
        for path, methods in schema["paths"].items()
        for method, op in methods.items()
    }


def _api_url_names() -> set[str]:
    def walk(patterns, prefix: str) -> set[str]:
        names: set[str] = set()
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = f"{prefix}{p.namespace}:" if p.namespace else prefix
                names |= walk(p.url_patterns, ns)
            elif isinstance(p, URLPattern) and p.name:
                names.add(f"{prefix}{p.name}")
        return names

    return {n for n in walk(get_resolver().url_patterns, "") if n.startswith("api:")}


def test_the_schema_renders_and_lists_every_endpoint_with_its_answers(network, staff):
    client = APIClient()
    client.force_authenticate(staff)

    response = client.get(reverse("api:schema"), {"format": "json"})

    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert "Authorization: Token" in schema["info"]["description"]
    operations = _operations(schema)
    # 401 (no or a bad token) and 415 (a body that is not JSON) are declared everywhere they can
    # happen, by core.api.postprocess_schema; the table lists each operation's own answers.
    assert {
        op: (method, path, answers - {"401", "415"})
        for op, (method, path, answers) in operations.items()
    } == EXPECTED
    for op, (method, _path, answers) in operations.items():
        assert op == "token" or "401" in answers, op
        assert (
            method not in ("post", "put", "patch") or op.startswith("token_") or "415" in answers
        ), op


def test_every_operation_has_a_chinese_summary_and_tag(network, staff):
    client = APIClient()
    client.force_authenticate(staff)

    schema = client.get(reverse("api:schema"), {"format": "json"}).json()

    for methods in schema["paths"].values():
        for op in methods.values():
            assert re.search(r"[\u4e00-\u9fff]", op["summary"]), op["operationId"]
            assert re.search(r"[\u4e00-\u9fff]", op["tags"][0]), op["operationId"]


def test_every_api_url_declares_its_permission():
    names = _api_url_names()

    assert "api:orgunit_list" in names
    assert sorted(n for n in names if policy.url_permission(n) is None) == []


def test_the_token_endpoint_is_the_only_public_api_url():
    public = sorted(n for n in _api_url_names() if policy.url_permission(n) == policy.PUBLIC)

    assert public == ["api:token"]


def test_the_schema_is_generated_without_warnings_and_validates(tmp_path):
    out = tmp_path / "schema.yaml"

    call_command("spectacular", "--fail-on-warn", "--validate", "--file", str(out))

    assert "/api/org-units/{unit_id}/delete/" in out.read_text()


def test_the_schema_needs_a_log_in(network):
    response = APIClient().get(reverse("api:schema"), {"format": "json"})

    assert response.status_code in (401, 403)


def test_the_docs_page_loads_only_local_files(network, staff):
    client = APIClient()
    client.force_login(staff)

    response = client.get(reverse("api:docs"))

    assert response.status_code == 200
    html = response.content.decode()
    references = re.findall(r"""\b(?:src|href)\s*=\s*["']([^"']*)["']""", html)
    assert any("swagger-ui-bundle.js" in ref for ref in references)
    assert [ref for ref in references if not ref.startswith("/") or ref.startswith("//")] == []
    script = [ref for ref in references if "script" in ref]
    assert all(ref.startswith("/static/") for ref in references if ref not in script)
    assert not re.search(r"https?://", html)
    # No inline script (Content-Security-Policy): the start-up script is a file of its own.
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == []
    start = client.get(script[0].replace("&amp;", "&")).content.decode()
    # Swagger UI would otherwise send the schema to swagger.io's online validator.
    assert '"validatorUrl": null' in start


def test_the_docs_page_needs_a_log_in(network):
    response = APIClient().get(reverse("api:docs"))

    assert response.status_code in (401, 403)
