"""Pages of filing: the new-archive form, the edit form, and adding, editing and removing members.

Views stay thin: fetch through the selectors (outside the user's scope is a 404, exactly like a
missing archive), parse with the forms, call `services.filing`, and put its {field: message}
errors back on the form, which keeps what was typed.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from bangfu.core.errors import DomainError, PermissionDenied, ValidationError
from bangfu.core.formkit import apply_errors
from bangfu.core.shortcuts import found

from ..forms.filing import REQUIRED, HouseholdForm, MemberForm, MemberFormSet
from ..models import Household
from ..permissions import ArchivesPermission
from ..selectors import filing as selectors
from ..selectors.access import access_household
from ..services import filing

FILE = ArchivesPermission.FILE


def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return render(request, "403.html", {"reason": exc.message}, status=403)


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


def _warn(request: HttpRequest, warnings: list[str]) -> None:
    """Show what was saved but looks wrong (an ID's unknown area code): a warning, never a
    refusal, and never silent."""
    for text in warnings:
        messages.warning(request, text)


@require_http_methods(["GET", "POST"])
def household_create(request: HttpRequest) -> HttpResponse:
    units = selectors.filing_units(user=request.user)
    data = request.POST or None
    adding_row = request.method == "POST" and "add_member" in request.POST
    if adding_row:
        data = _with_extra_row(request.POST)
    form = HouseholdForm(data, units=units, initial={"applied_on": timezone.localdate()})
    formset = MemberFormSet(data, prefix="members")
    if request.method == "POST" and not adding_row:
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
            except PermissionDenied as exc:
                return _forbidden(request, exc)
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(
                    request,
                    _("已建档 %(no)s %(name)s(%(status)s)。")
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
        status=200,
    )


@require_http_methods(["GET", "POST"])
def household_update(request: HttpRequest, pk: int) -> HttpResponse:
    household = found(lambda: access_household(user=request.user, household_id=pk, perm=FILE))
    form = HouseholdForm(
        request.POST or None,
        units=selectors.filing_units(user=request.user),
        household=household,
        initial=HouseholdForm.initial_for(household),
    )
    if request.method == "POST" and form.is_valid():
        data = form.to_input([])
        on_file = household.id_number
        try:
            filing.household_update(actor=request.user, household=household, data=data)
        except ValidationError as exc:
            apply_errors(form, exc.errors, exc.message)
        except PermissionDenied as exc:
            return _forbidden(request, exc)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("已保存档案 %(no)s。") % {"no": household.archive_no})
            _warn(request, filing.id_warnings(data, unchanged=[on_file]))
            return redirect("archives:household_detail", pk=household.pk)
    return render(
        request,
        "archives/filing/household_form.html",
        {
            "form": form,
            "formset": None,
            "household": household,
            "members": list(household.members.all()),
            "required_fields": REQUIRED - {"id_number"},
            "title": _("修改档案:%(no)s %(name)s")
            % {"no": household.archive_no, "name": household.name},
        },
    )


@require_http_methods(["GET", "POST"])
def member_add(request: HttpRequest, pk: int) -> HttpResponse:
    household = found(lambda: access_household(user=request.user, household_id=pk, perm=FILE))
    form = MemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.to_input()
        try:
            member = filing.member_add(actor=request.user, household=household, data=data)
        except ValidationError as exc:
            apply_errors(form, exc.errors, exc.message)
        except PermissionDenied as exc:
            return _forbidden(request, exc)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("已添加家庭成员 %(name)s。") % {"name": member.name})
            _warn(request, filing.id_warnings(data))
            return redirect("archives:household_update", pk=household.pk)
    return _member_page(request, form, household, _("添加家庭成员"))


def _member_page(
    request: HttpRequest, form: MemberForm, household: Household, title: str
) -> HttpResponse:
    return render(
        request,
        "archives/filing/member_form.html",
        {"form": form, "household": household, "title": title},
    )


@require_http_methods(["GET", "POST"])
def member_update(request: HttpRequest, pk: int) -> HttpResponse:
    member = found(lambda: selectors.access_member(user=request.user, member_id=pk))
    form = MemberForm(request.POST or None, member=member, initial=MemberForm.initial_for(member))
    if request.method == "POST" and form.is_valid():
        data = form.to_input()
        on_file = member.id_number
        try:
            filing.member_update(actor=request.user, member=member, data=data)
        except ValidationError as exc:
            apply_errors(form, exc.errors, exc.message)
        except PermissionDenied as exc:
            return _forbidden(request, exc)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request, _("已保存家庭成员 %(name)s。") % {"name": form.cleaned_data["name"]}
            )
            _warn(request, filing.id_warnings(data, unchanged=[on_file]))
            return redirect("archives:household_update", pk=member.household_id)
    return _member_page(
        request, form, member.household, _("修改家庭成员:%(name)s") % {"name": member.name}
    )


@require_http_methods(["GET", "POST"])
def member_remove(request: HttpRequest, pk: int) -> HttpResponse:
    member = found(lambda: selectors.access_member(user=request.user, member_id=pk))
    error = ""
    if request.method == "POST":
        try:
            filing.member_remove(actor=request.user, member=member)
        except PermissionDenied as exc:
            return _forbidden(request, exc)
        except DomainError as exc:
            error = exc.message
        else:
            messages.success(request, _("已移除家庭成员 %(name)s。") % {"name": member.name})
            return redirect("archives:household_update", pk=member.household_id)
    return render(
        request,
        "archives/filing/member_remove.html",
        {
            "member": member,
            "household": member.household,
            "error": error,
            "cancel_url": reverse("archives:household_update", args=[member.household_id]),
        },
        status=409 if error else 200,
    )
