"""The home page and the 工作台: the user's roles, scope and what is due."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from bangfu.accounts import policy
from bangfu.accounts.roles import Role
from bangfu.core import worklist as worklist_registry


def home(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("workbench:worklist")
    return redirect("accounts:login")


@login_required
def worklist(request: HttpRequest) -> HttpResponse:
    """The 工作台: the user's roles and scope, and what is due."""
    grants = policy.user_grants(request.user)
    from bangfu.network.models import OrgUnit

    units = OrgUnit.objects.in_bulk({g.unit_id for g in grants})
    roles = [
        {"role": Role(g.role).label, "unit": units.get(g.unit_id)}
        for g in sorted(grants, key=lambda g: (g.role, g.path))
    ]
    everything = worklist_registry.due_items(request.user)
    items = [item for item in everything if not item.waiting]
    waiting = [item for item in everything if item.waiting]
    return render(
        request, "workbench/worklist.html", {"roles": roles, "items": items, "waiting": waiting}
    )
