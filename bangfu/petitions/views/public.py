"""The public pages (no log-in): the online petition form and the progress look-up with the
query code, where the petitioner also rates the answer. Both count every POST against the
client's hourly allowance (`services.public.throttle`) and answer 429 beyond it."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from bangfu.core.errors import Conflict, NotFound, ValidationError
from bangfu.core.formkit import apply_domain_error
from bangfu.core.middleware import request_client_address

from ..forms import PublicForm, PublicRateForm, TrackForm
from ..selectors.public import petition_by_code, public_progress
from ..services import public
from ..services.registration import petition_submit_online

TOO_MANY = 429


@never_cache
@require_http_methods(["GET", "POST"])
def public_submit(request: HttpRequest) -> HttpResponse:
    form = PublicForm(request.POST or None)
    if request.method == "POST":
        try:
            public.throttle(scope=public.SUBMIT, client_address=request_client_address(request))
        except public.RateLimited as exc:
            return render(
                request,
                "petitions/public/submit.html",
                {"form": form, "limited": exc.message},
                status=TOO_MANY,
            )
        if form.is_valid():
            try:
                petition = petition_submit_online(
                    centre=form.cleaned_data["centre"], data=form.petition_input()
                )
            except ValidationError as exc:
                apply_domain_error(form, exc)
            else:
                # Shown once, on this answer only: the code is not put in a URL or a session.
                return render(request, "petitions/public/submitted.html", {"petition": petition})
        return render(request, "petitions/public/submit.html", {"form": form}, status=400)
    return render(request, "petitions/public/submit.html", {"form": form})


@never_cache
@require_http_methods(["GET", "POST"])
def public_track(request: HttpRequest) -> HttpResponse:
    template = "petitions/public/track.html"
    if request.method != "POST":
        return render(request, template, {"form": TrackForm()})
    track = TrackForm(request.POST)
    try:
        public.throttle(scope=public.QUERY, client_address=request_client_address(request))
    except public.RateLimited as exc:
        return render(request, template, {"form": track, "limited": exc.message}, status=TOO_MANY)
    if not track.is_valid():
        return render(request, template, {"form": track}, status=400)
    code = track.cleaned_data["code"]
    try:
        petition = petition_by_code(code)
    except NotFound as exc:
        track.add_error("code", exc.message)
        return render(request, template, {"form": track}, status=404)
    status, rated = 200, False
    rate_form: PublicRateForm | None = None
    if "rating" in request.POST:
        rate_form = PublicRateForm(request.POST)
        if not rate_form.is_valid():
            status = 400
        else:
            try:
                public.petition_rate_online(
                    code=code,
                    rating=rate_form.cleaned_data["rating"],
                    comment=rate_form.cleaned_data.get("comment") or "",
                )
            except (Conflict, ValidationError) as exc:
                apply_domain_error(rate_form, exc)
                status = 409 if isinstance(exc, Conflict) else 400
            else:
                rated, rate_form = True, None
                petition.refresh_from_db()
    progress = public_progress(petition)
    if progress.can_rate and rate_form is None:
        rate_form = PublicRateForm(initial={"code": code})
    return render(
        request,
        template,
        {"form": track, "progress": progress, "rate_form": rate_form, "rated": rated},
        status=status,
    )
