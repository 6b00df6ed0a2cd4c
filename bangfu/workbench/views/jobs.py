"""A background job's page and its progress bar."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from bangfu.core.jobs import job_for_user


@login_required
@require_GET
def job_detail(request: HttpRequest, job_id: Any) -> HttpResponse:
    job = job_for_user(request.user, job_id)
    return render(request, "workbench/job_detail.html", {"job": job})


@login_required
@require_GET
def job_progress(request: HttpRequest, job_id: Any) -> HttpResponse:
    """The progress partial; htmx polls it every second until the job has finished."""
    job = job_for_user(request.user, job_id)
    return render(request, "workbench/_job_progress.html", {"job": job})
