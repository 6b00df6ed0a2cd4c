"""What every page form shares: Bootstrap classes on the widgets, invalid fields marked after
cleaning, a service's field errors put back on the form, the date input, and the one way an
action form answers (`action_response`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from .errors import Conflict, DomainError, NotFound, PermissionDenied, ValidationError

DATE_INPUT_FORMATS = ["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d"]


class BootstrapMixin:
    """Give widgets Bootstrap's classes (call `_style()` once the fields are set) and mark the
    ones with errors as invalid — after cleaning, never before: reading `errors` earlier would
    clean the form before a subclass has set its choices."""

    fields: dict[str, forms.Field]
    _errors: Any

    def _style(self) -> None:
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput | forms.RadioSelect):
                css = "form-check-input"  # RadioSelect covers CheckboxSelectMultiple too
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs.setdefault("class", css)

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        self.mark_invalid()

    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error(field, error)  # type: ignore[misc]
        self.mark_invalid()

    def mark_invalid(self) -> None:
        for name in self._errors or {}:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                if "is-invalid" not in attrs.get("class", ""):
                    attrs["class"] = (attrs.get("class", "") + " is-invalid").strip()
                attrs["aria-invalid"] = "true"


class BootstrapForm(BootstrapMixin, forms.Form):
    """A plain form with the Bootstrap styling applied to the fields it declares."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style()


def apply_errors(form: forms.BaseForm, errors: Mapping[str, str], message: str) -> None:
    """Attach a service's field errors to the form; anything not a form field goes on top."""
    for name, text in errors.items():
        form.add_error(name if name in form.fields else None, text)
    if not errors:
        form.add_error(None, message)


def apply_domain_error(form: forms.BaseForm, exc: DomainError) -> None:
    """Attach a service's refusal: its field errors, else its message above the form."""
    apply_errors(form, exc.errors if isinstance(exc, ValidationError) else {}, exc.message)


def date_field(
    label: Any, required_message: Any, invalid_message: Any, *, required: bool = True
) -> forms.DateField:
    """A date typed or picked as 2026-03-05 (also 2026/3/5 and 2026.3.5)."""
    return forms.DateField(
        label=label,
        required=required,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=DATE_INPUT_FORMATS,
        error_messages={"required": required_message, "invalid": invalid_message},
    )


class ConfirmForm(forms.Form):
    """The form of a page that only asks "are you sure?" (delete, remove): no fields, so that
    the page answers through `action_response` like every other action form."""

    @classmethod
    def for_request(cls, request: HttpRequest) -> ConfirmForm:
        """Return the form, bound on POST (its data is empty: `request.POST or None` would
        leave it unbound)."""
        return cls(request.POST if request.method == "POST" else None)


# The answers of an action form, the same on every page: a form with errors is shown again with
# what was typed (400); the service refusing for the user's role or scope gives the 403 page with
# its reason; the record being in the wrong state shows the reason above the form (409).
STATUS_INVALID = 400
STATUS_NOT_ALLOWED = 403
STATUS_WRONG_STATE = 409


def action_response(
    request: HttpRequest,
    *,
    form: forms.BaseForm,
    run: Callable[[], Any],
    success_url: str | Callable[[Any], str],
    done: str | Callable[[Any], str] = "",
    template: str = "",
    context: Mapping[str, Any] | None = None,
    page: Callable[[forms.BaseForm, int], HttpResponse] | None = None,
) -> HttpResponse:
    """Show an action form (GET) or carry out its action (POST), with fixed status codes.

    `run` calls the service with the form's cleaned data and returns what it made; on success
    the user is redirected to `success_url` (or `success_url(result)`) with the message `done`
    (or `done(result)`). Otherwise the form is shown again, with what was typed and the reason,
    by `template` (given `context` and `form`) or, for a form that lives on a larger page
    beside other forms, by `page(form, status)`: 400 for invalid input, 409 for the wrong
    state (the reason among the form's non-field errors), the 403 page for a refusal of the
    user's role or scope. NotFound is not caught: the page answers 404 (`core.errorviews`).
    """
    if page is None and not template:
        raise TypeError("action_response needs a template or a page.")
    status = 200
    if request.method == "POST":
        if not form.is_valid():
            status = STATUS_INVALID
        else:
            try:
                result = run()
            except PermissionDenied as exc:
                return render(request, "403.html", {"reason": exc.message}, status=403)
            except ValidationError as exc:
                apply_errors(form, exc.errors, exc.message)
                status = STATUS_INVALID
            except NotFound:
                raise
            except Conflict as exc:
                form.add_error(None, exc.message)
                status = STATUS_WRONG_STATE
            except DomainError as exc:
                form.add_error(None, exc.message)
                status = STATUS_INVALID
            else:
                text = done(result) if callable(done) else done
                if text:
                    messages.success(request, text)
                url = success_url(result) if callable(success_url) else success_url
                return redirect(url)
    if page is not None:
        return page(form, status)
    return render(request, template, {**(context or {}), "form": form}, status=status)


def refusal_of(form: forms.BaseForm) -> str:
    """Return the reasons above the form (its non-field errors) as one line: for a page that
    no longer shows the form once the record has moved on (a second click's 409)."""
    return " ".join(str(error) for error in form.non_field_errors())
