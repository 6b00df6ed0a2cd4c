"""The one place domain errors become page answers, and the action form's fixed status codes."""

from __future__ import annotations

from typing import Any

import pytest
from django import forms
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.storage.fallback import FallbackStorage
from django.test import RequestFactory

from bangfu.core.errors import Conflict, DomainError, NotFound, PermissionDenied, ValidationError
from bangfu.core.errorviews import DomainErrorMiddleware
from bangfu.core.formkit import ConfirmForm, action_response, refusal_of

pytestmark = pytest.mark.django_db


class NameForm(forms.Form):
    name = forms.CharField(error_messages={"required": "请填写姓名。"})


def _request(method: str = "get", data: dict[str, Any] | None = None, path: str = "/x/") -> Any:
    request = getattr(RequestFactory(), method)(path, data or {})
    request.user = AnonymousUser()
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


def _middleware() -> DomainErrorMiddleware:
    return DomainErrorMiddleware(lambda request: None)  # type: ignore[arg-type, return-value]


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (NotFound("未找到该档案。"), 404),
        (PermissionDenied("您无权审批该档案。"), 403),
        (Conflict("档案当前状态为“在档”,不能执行此操作。"), 409),
        (DomainError("金额超过上限。"), 400),
    ],
)
def test_a_domain_error_from_a_page_view_becomes_its_page(error, status):
    response = _middleware().process_exception(_request(), error)
    assert response is not None
    assert response.status_code == status
    if status in (403, 409, 400):
        assert error.message in response.content.decode()


def test_a_domain_error_under_the_api_answers_json():
    response = _middleware().process_exception(_request(path="/api/x/"), NotFound("x"))
    assert response is not None
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"


def test_other_exceptions_are_left_to_django():
    assert _middleware().process_exception(_request(), ValueError("boom")) is None


def _act(request: Any, run: Any) -> Any:
    return action_response(
        request,
        form=NameForm(request.POST or None),
        run=run,
        template="409.html",
        context={"reason": "表单"},
        success_url="/done/",
        done="已保存。",
    )


def test_get_shows_the_form():
    assert _act(_request(), lambda: None).status_code == 200


def test_an_invalid_form_answers_400_and_does_not_run():
    ran = []
    response = _act(_request("post", {}), lambda: ran.append(1))
    assert response.status_code == 400
    assert ran == []


def test_success_redirects():
    response = _act(_request("post", {"name": "张三"}), lambda: "ok")
    assert response.status_code == 302
    assert response["Location"] == "/done/"


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (ValidationError("姓名有误。", field="name"), 400),
        (PermissionDenied("您无权执行此操作。"), 403),
        (Conflict("状态已改变。"), 409),
        (DomainError("不能执行。"), 400),
    ],
)
def test_a_refusal_answers_its_fixed_status(error, status):
    def run() -> None:
        raise error

    assert _act(_request("post", {"name": "张三"}), run).status_code == status


def test_not_found_is_left_to_the_page_404():
    def run() -> None:
        raise NotFound("未找到。")

    with pytest.raises(NotFound):
        _act(_request("post", {"name": "张三"}), run)


def _on_page(request: Any, run: Any, seen: list[tuple[int, str]]) -> Any:
    """An action whose form lives on a larger page: the page is drawn by a callback."""
    from django.http import HttpResponse

    def page(form: Any, status: int) -> HttpResponse:
        seen.append((status, refusal_of(form)))
        return HttpResponse(f"page {status}", status=status)

    return action_response(
        request,
        form=NameForm(request.POST or None),
        run=run,
        page=page,
        success_url=lambda result: f"/done/{result}/",
        done=lambda result: f"已保存 {result}。",
    )


def test_a_page_callback_shows_the_form_again_with_its_status_and_reason():
    seen: list[tuple[int, str]] = []

    def conflict() -> None:
        raise Conflict("状态已改变。")

    assert _on_page(_request(), lambda: None, seen).status_code == 200
    assert _on_page(_request("post", {}), lambda: None, seen).status_code == 400
    assert _on_page(_request("post", {"name": "张三"}), conflict, seen).status_code == 409
    assert seen == [(200, ""), (400, ""), (409, "状态已改变。")]


def test_success_url_and_message_may_depend_on_what_was_made():
    request = _request("post", {"name": "张三"})

    response = _on_page(request, lambda: 7, [])

    assert (response.status_code, response["Location"]) == (302, "/done/7/")
    assert [str(m) for m in request._messages] == ["已保存 7。"]


def test_an_action_needs_a_template_or_a_page():
    with pytest.raises(TypeError):
        action_response(_request(), form=NameForm(), run=lambda: None, success_url="/", done="")


def test_a_confirmation_is_bound_on_post_even_without_data():
    assert ConfirmForm.for_request(_request("post", {})).is_valid()
    assert not ConfirmForm.for_request(_request()).is_bound


def test_choice_groups_keep_plain_choices_together_and_name_the_groups():
    from bangfu.core.templatetags.formkit import choice_groups

    choices = [("", "全部"), ("档案", [("a.*", "全部档案操作"), ("a.b.c", "撤档")]), ("x", "X")]

    assert choice_groups(choices) == [
        (None, [("", "全部")]),
        ("档案", [("a.*", "全部档案操作"), ("a.b.c", "撤档")]),
        (None, [("x", "X")]),
    ]
