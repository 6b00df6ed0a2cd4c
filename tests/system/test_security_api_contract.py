"""The API keeps its contract (issue 12 item 16; the whole check is .ci/api-contract, which runs
schemathesis): every /api/ answer is JSON — 404, 405, 500 included, also with DEBUG on — and
what schemathesis found on main answers as the schema says."""

from __future__ import annotations

import pytest
from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.urls import reverse
from rest_framework.test import APIClient

from bangfu.accounts.roles import Role
from bangfu.accounts.tests.factories import make_user
from bangfu.core.api import ApiJsonMiddleware

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(staff) -> APIClient:
    client = APIClient()
    client.force_authenticate(staff)
    return client


def test_a_25_digit_parent_is_refused_by_name_not_a_server_error(api):
    response = api.get(reverse("api:orgunit_list"), {"parent": "1" + "0" * 24})

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["parent"]


@pytest.mark.parametrize(
    "query",
    [{"limit": "1" + "0" * 25}, {"offset": "1" + "0" * 25}, {"offset": "-5"}, {"limit": "null"}],
)
def test_paging_past_the_bounds_is_refused_by_name(api, query):
    response = api.get(reverse("api:household_list"), query)

    assert response.status_code == 400
    assert list(response.json()["errors"]) == list(query)


def test_an_empty_or_repeated_filter_is_refused(api):
    empty = api.get("/api/households/?category=")
    twice = api.get("/api/households/?review_overdue=true&review_overdue=false")
    null = api.get("/api/households/?review_overdue=null")

    assert [r.status_code for r in (empty, twice, null)] == [400, 400, 400]


@pytest.mark.parametrize("debug", [False, True])
def test_an_unknown_api_path_answers_json_404_also_in_debug(api, settings, debug):
    settings.DEBUG = debug

    response = api.get("/api/households/null,null/")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "未找到。"}


def test_a_wrong_method_answers_json_405(api):
    response = api.delete(reverse("api:household_list"))

    assert response.status_code == 405
    assert response["Content-Type"] == "application/json"


def test_a_server_error_under_api_answers_json_500():
    def broken(request: HttpRequest) -> HttpResponse:
        return HttpResponseServerError("<h1>Server Error</h1>", content_type="text/html")

    request = HttpRequest()
    request.path = "/api/households/"

    response = ApiJsonMiddleware(broken)(request)

    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert b"Server Error" not in response.content


def test_a_body_that_is_not_json_answers_415_json_and_bad_json_400_with_errors(api):
    form = api.post(reverse("api:household_create"), "name=x", content_type="text/plain")
    broken = api.post(reverse("api:household_create"), "{not json", content_type="application/json")

    assert form.status_code == 415 and form["Content-Type"] == "application/json"
    assert broken.status_code == 400
    assert broken.json() == {"detail": "请求体不是合法的 JSON。", "errors": {}}


def test_values_of_another_json_type_are_refused(sysadmin, network):
    client = APIClient()
    client.force_authenticate(sysadmin)

    response = client.post(
        reverse("api:user_create"),
        {"username": "zero", "full_name": "零", "phone": 0, "unit": str(network.township.pk)},
    )

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"phone", "unit"}


def test_blank_choices_are_declared_in_the_schema(client, staff):
    client.force_login(staff)
    schema = client.get(reverse("api:schema"), {"format": "json"}).json()
    components = schema["components"]["schemas"]

    station_type = components["UnitDetailOutput"]["properties"]["station_type"]
    assert {"$ref": "#/components/schemas/BlankEnum"} in station_type["oneOf"]
    assert components["BlankEnum"] == {"enum": [""]}


def test_creating_a_top_level_centre_answers_201_with_it(network):
    # given: staff whose grant is at the root, who may add another top-level centre
    county_staff = make_user((Role.STAFF, network.county), username="county_staff")
    client = APIClient()
    client.force_authenticate(county_staff)

    response = client.post(
        reverse("api:orgunit_create"),
        {"parent": None, "name": "新的顶层中心", "kind": "center", "level": "county"},
    )

    # then: what was made, not a 404 because the new centre lies outside the maker's scope
    assert response.status_code == 201
    assert response.json()["name"] == "新的顶层中心"
