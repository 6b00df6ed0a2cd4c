"""Pages of filing: the new-archive form, the edit form, and adding, editing and removing members.

Views stay thin: fetch through the selectors (outside the user's scope is NotFound, the 404
page, exactly like a missing archive), parse with the forms, call `services.filing` through
`formkit.action_response`, which puts its {field: message} errors back on the form (400), keeps
what was typed, and answers 403 / 409 for a refusal of role or state. The new-archive form is
a form and a formset: it puts member errors on their rows itself.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from bangfu.accounts.requests import AuthenticatedHttpRequest
from bangfu.core.errors import Conflict, DomainError, NotFound, PermissionDenied, ValidationError
from bangfu.core.formkit import (
    STATUS_INVALID,
    STATUS_WRONG_STATE,
    ConfirmForm,
    action_response,
    apply_errors,
)

from ..forms.filing import REQUIRED, HouseholdForm, MemberForm, MemberFormSet
from ..models import Household, HouseholdMember
from ..permissions import ArchivesPermission
from ..selectors import filing as selectors
from ..selectors.access import access_household
from ..services import filing

FILE = ArchivesPermission.FILE


def _member_errors(formset: Any, errors: dict[str, str], positions: list[int]) -> dict[str, str]:
    """Put `members.<i>.<field>` errors on the member rows; return the other errors."""
    rest: dict[str, str] = {}
    for key, text in errors.items():
        parts = key.split(".")
        if len(parts) == 3 and parts[0] == "members" and parts[1].isdigit():
            i = int(parts[1])
            if i < len(positions):
                form = formset.forms[positions[i]]
                form.add_error(parts[2] if parts[2] in form.fields else None, text)
                continue
        rest[key] = text
    return rest


def _with_extra_row(data: Any) -> Any:
    """Return the posted data with one more empty member row (the 添加成员 button)."""
    data = data.copy()
    total = int(data.get("members-TOTAL_FORMS") or 0)
    data["members-TOTAL_FORMS"] = str(min(total + 1, 20))
    return data


def _warn(request: AuthenticatedHttpRequest, warnings: list[str]) -> None:
    """Show what was saved but looks wrong (an ID's unknown area code): a warning, never a
    refusal, and never silent."""
    for text in warnings:
        messages.warning(request, text)


@require_http_methods(["GET", "POST"])
def household_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    units = selectors.filing_units(user=request.user)
    data = request.POST or None
    adding_row = request.method == "POST" and "add_member" in request.POST
    if adding_row:
        data = _with_extra_row(request.POST)
    form = HouseholdForm(data, units=units, initial={"applied_on": timezone.localdate()})
    formset = MemberFormSet(data, prefix="members")
    status = 200
    if request.method == "POST" and not adding_row:
        status = STATUS_INVALID
        form_ok, formset_ok = form.is_valid(), formset.is_valid()
        if form_ok and formset_ok:
            members, positions = formset.inputs()  # type: ignore[attr-defined]
            entered = form.to_input(members)
            try:
                household = filing.household_create(
                    actor=request.user, data=entered, draft="save_draft" in request.POST
                )
            except ValidationError as exc:
                rest = _member_errors(formset, exc.errors, positions)
                apply_errors(form, rest, exc.message if not exc.errors else "")
                if not rest and exc.errors:
                    form.add_error(None, _("请修改家庭成员中标出的错误。"))
            except (NotFound, PermissionDenied):
                raise  # the 404 / 403 page (`core.errorviews`)
            except Conflict as exc:
                form.add_error(None, exc.message)
                status = STATUS_WRONG_STATE
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                done = (
                    _("已建档 %(no)s %(name)s(%(status)s)。")
                    if household.status == Household.Status.ACTIVE
                    else _("已提交申请 %(no)s %(name)s(%(status)s)。")
                )
                messages.success(
                    request,
                    done
                    % {
                        "no": household.archive_no,
                        "name": household.name,
                        "status": household.get_status_display(),
                    },
                )
                _warn(request, filing.id_warnings(entered))
                return redirect("archives:household_detail", pk=household.pk)
    return render(
        request,
        "archives/filing/household_form.html",
        {
            "form": form,
            "formset": formset,
            "household": None,
            "title": _("新建档案"),
            "required_fields": REQUIRED,
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def household_update(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    household = access_household(user=request.user, household_id=pk, perm=FILE)
    form = HouseholdForm(
        request.POST or None,
        units=selectors.filing_units(user=request.user),
        household=household,
        initial=HouseholdForm.initial_for(household),
    )
    on_file = household.id_number

    def run() -> Household:
        data = form.to_input([])
        saved = filing.household_update(actor=request.user, household=household, data=data)
        _warn(request, filing.id_warnings(data, unchanged=[on_file]))
        return saved

    return action_response(
        request,
        form=form,
        run=run,
        template="archives/filing/household_form.html",
        context={
            "formset": None,
            "household": household,
            "members": list(household.members.all()),
            "required_fields": REQUIRED - {"id_number"},
            "title": _("修改档案:%(no)s %(name)s")
            % {"no": household.archive_no, "name": household.name},
        },
        success_url=reverse("archives:household_detail", args=[household.pk]),
        done=_("已保存档案 %(no)s。") % {"no": household.archive_no},
    )


def _edit_url(household_id: int) -> str:
    return reverse("archives:household_update", args=[household_id])


@require_http_methods(["GET", "POST"])
def member_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    household = access_household(user=request.user, household_id=pk, perm=FILE)
    form = MemberForm(request.POST or None)

    def run() -> HouseholdMember:
        data = form.to_input()
        member = filing.member_add(actor=request.user, household=household, data=data)
        _warn(request, filing.id_warnings(data))
        return member

    return action_response(
        request,
        form=form,
        run=run,
        template="archives/filing/member_form.html",
        context={"household": household, "title": _("添加家庭成员")},
        success_url=_edit_url(household.pk),
        done=lambda member: _("已添加家庭成员 %(name)s。") % {"name": member.name},
    )


@require_http_methods(["GET", "POST"])
def member_update(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    member = selectors.access_member(user=request.user, member_id=pk)
    form = MemberForm(request.POST or None, member=member, initial=MemberForm.initial_for(member))
    on_file = member.id_number

    def run() -> HouseholdMember:
        data = form.to_input()
        saved = filing.member_update(actor=request.user, member=member, data=data)
        _warn(request, filing.id_warnings(data, unchanged=[on_file]))
        return saved

    return action_response(
        request,
        form=form,
        run=run,
        template="archives/filing/member_form.html",
        context={
            "household": member.household,
            "title": _("修改家庭成员:%(name)s") % {"name": member.name},
        },
        success_url=_edit_url(member.household_id),
        done=lambda saved: _("已保存家庭成员 %(name)s。") % {"name": saved.name},
    )


@require_http_methods(["GET", "POST"])
def member_remove(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    member = selectors.access_member(user=request.user, member_id=pk)
    return action_response(
        request,
        form=ConfirmForm.for_request(request),
        run=lambda: filing.member_remove(actor=request.user, member=member),
        template="archives/filing/member_remove.html",
        context={
            "member": member,
            "household": member.household,
            "cancel_url": _edit_url(member.household_id),
        },
        success_url=_edit_url(member.household_id),
        done=_("已移除家庭成员 %(name)s。") % {"name": member.name},
    )
