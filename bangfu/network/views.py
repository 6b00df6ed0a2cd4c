"""Pages of the network: the unit tree, a unit with its people, their forms, and the map.

Views stay thin: they fetch through the selectors (anything outside the user's scope is
NotFound, answered as a 404 exactly like something missing by `core.errorviews`), and carry out
actions through `formkit.action_response` (400 invalid, 403 not allowed, 409 wrong state).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from bangfu.accounts import policy
from bangfu.accounts.requests import AuthenticatedHttpRequest
from bangfu.core.formkit import ConfirmForm, action_response

from . import mapdraw, mapexport, selectors, services
from .forms import PersonForm, UnitForm
from .models import OrgUnit, UnitPerson
from .permissions import NetworkPermission

MANAGE = NetworkPermission.MANAGE


def _can_manage(user: Any, unit: OrgUnit) -> bool:
    # For showing buttons only; the services check again and the manage pages fetch by scope.
    return policy.has_perm(user, MANAGE) and policy.unit_in_scope(user, MANAGE, unit)


@dataclass
class TreeRow:
    unit: OrgUnit
    level: int
    leaders: list[UnitPerson]


def _tree_rows(roots: Iterable[OrgUnit]) -> list[TreeRow]:
    rows: list[TreeRow] = []

    def visit(unit: OrgUnit, level: int) -> None:
        leaders = [p for p in unit.people.all() if p.role == UnitPerson.Role.LEADER]
        rows.append(TreeRow(unit, level, leaders))
        for child in getattr(unit, "tree_children", []):
            visit(child, level + 1)

    for root in roots:
        visit(root, 0)
    return rows


def unit_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    units = selectors.unit_tree(user=request.user)
    rows = _tree_rows(selectors.tree_roots(units))
    return render(
        request,
        "network/unit_list.html",
        {"rows": rows, "can_create": policy.has_perm(request.user, MANAGE)},
    )


def unit_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    unit = selectors.access_unit(user=request.user, unit_id=pk)
    visible = selectors.unit_list(user=request.user)
    children = list(visible.filter(parent=unit).order_by("sort_order", "name"))
    parent_visible = unit.parent_id is not None and visible.filter(pk=unit.parent_id).exists()
    people = list(unit.people.order_by("sort_order", "id"))
    group = [
        p
        for role in (
            UnitPerson.Role.GROUP_HEAD,
            UnitPerson.Role.GROUP_DEPUTY,
            UnitPerson.Role.GROUP_MEMBER,
        )
        for p in people
        if p.role == role
    ]
    staff = [p for role in mapdraw.UNIT_ROLES for p in people if p.role == role]
    # Under the 领导小组 heading the short titles read better (组长, not 领导小组组长).
    group_labels = mapdraw.group_labels()
    for person in group:
        person.role_label = group_labels[person.role]  # type: ignore[attr-defined]
    for person in staff:
        person.role_label = person.get_role_display()  # type: ignore[attr-defined]
    return render(
        request,
        "network/unit_detail.html",
        {
            "unit": unit,
            "kind_label": mapdraw.kind_label(unit),
            "parent_visible": parent_visible,
            "children": children,
            "group": group,
            "staff": staff,
            "can_manage": _can_manage(request.user, unit),
        },
    )


def _parent_choices(user: Any, *, unit: OrgUnit | None = None) -> Any:
    """Units the user may put a unit under: the manage scope, without the unit's own subtree,
    plus its present parent (which may lie above the scope and must stay selectable)."""
    choices = selectors.unit_list(user=user, perm=MANAGE)
    if unit is not None:
        choices = choices.exclude(path__startswith=unit.path)
        if unit.parent_id is not None:
            choices = choices | OrgUnit.objects.filter(pk=unit.parent_id)
    return choices.order_by("path")


def _unit_url(pk: int) -> str:
    return reverse("network:unit_detail", args=[pk])


@require_http_methods(["GET", "POST"])
def unit_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    parents = _parent_choices(request.user)
    initial: dict[str, Any] = {}
    parent_id = request.GET.get("parent")
    if parent_id:
        parent = selectors.access_unit(user=request.user, unit_id=parent_id, perm=MANAGE)
        initial["parent"] = parent.pk
        if parent.kind == OrgUnit.Kind.CENTER:
            initial["kind"] = OrgUnit.Kind.STATION
        else:
            initial["kind"] = OrgUnit.Kind.POINT
            initial["station_type"] = parent.station_type
    form = UnitForm(request.POST or None, parents=parents, initial=initial)
    return action_response(
        request,
        form=form,
        run=lambda: services.unit_create(actor=request.user, **form.service_kwargs()),
        template="network/unit_form.html",
        context={"unit": None, "title": _("新建单位")},
        success_url=lambda unit: _unit_url(unit.pk),
        done=lambda unit: _("已新建“%(name)s”。") % {"name": unit.name},
    )


@require_http_methods(["GET", "POST"])
def unit_update(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    unit = selectors.access_unit(user=request.user, unit_id=pk, perm=MANAGE)
    form = UnitForm(
        request.POST or None,
        parents=_parent_choices(request.user, unit=unit),
        initial=UnitForm.initial_for(unit),
    )
    return action_response(
        request,
        form=form,
        run=lambda: services.unit_update(actor=request.user, unit=unit, **form.service_kwargs()),
        template="network/unit_form.html",
        context={"unit": unit, "title": _("修改单位:%(name)s") % {"name": unit.name}},
        success_url=_unit_url(unit.pk),
        done=lambda saved: _("已保存“%(name)s”。") % {"name": saved.name},
    )


@require_http_methods(["GET", "POST"])
def unit_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    unit = selectors.access_unit(user=request.user, unit_id=pk, perm=MANAGE)

    def after(_deleted: None) -> str:
        # Back to the parent when the user may see it, else to the tree.
        if unit.parent_id and selectors.unit_list(user=request.user).filter(pk=unit.parent_id):
            return _unit_url(unit.parent_id)
        return reverse("network:unit_list")

    return action_response(
        request,
        form=ConfirmForm.for_request(request),
        run=lambda: services.unit_delete(actor=request.user, unit=unit),
        template="network/confirm_delete.html",
        context={
            "title": _("删除单位"),
            "question": _("确定删除“%(name)s”吗?删除后不能恢复。") % {"name": unit.name},
            "cancel_url": _unit_url(unit.pk),
        },
        success_url=after,
        done=_("已删除“%(name)s”。") % {"name": unit.name},
    )


@require_http_methods(["GET", "POST"])
def person_create(request: AuthenticatedHttpRequest, unit_pk: int) -> HttpResponse:
    unit = selectors.access_unit(user=request.user, unit_id=unit_pk, perm=MANAGE)
    form = PersonForm(request.POST or None, unit=unit)
    return action_response(
        request,
        form=form,
        run=lambda: services.person_add(actor=request.user, unit=unit, **form.service_kwargs()),
        template="network/person_form.html",
        context={"unit": unit, "title": _("添加人员:%(unit)s") % {"unit": unit.name}},
        success_url=_unit_url(unit.pk),
        done=lambda person: _("已登记“%(name)s”。") % {"name": person.name},
    )


@require_http_methods(["GET", "POST"])
def person_update(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    person = selectors.access_person(user=request.user, person_id=pk, perm=MANAGE)
    form = PersonForm(
        request.POST or None, unit=person.unit, initial=PersonForm.initial_for(person)
    )
    return action_response(
        request,
        form=form,
        run=lambda: services.person_update(
            actor=request.user, person=person, user=person.user, **form.service_kwargs()
        ),
        template="network/person_form.html",
        context={
            "unit": person.unit,
            "title": _("修改人员:%(name)s") % {"name": person.name},
        },
        success_url=_unit_url(person.unit_id),
        done=lambda saved: _("已保存“%(name)s”。") % {"name": saved.name},
    )


@require_http_methods(["GET", "POST"])
def person_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    person = selectors.access_person(user=request.user, person_id=pk, perm=MANAGE)
    return action_response(
        request,
        form=ConfirmForm.for_request(request),
        run=lambda: services.person_remove(actor=request.user, person=person),
        template="network/confirm_delete.html",
        context={
            "title": _("移除人员"),
            "question": _("确定从“%(unit)s”移除%(role)s“%(name)s”吗?")
            % {"unit": person.unit.name, "role": person.get_role_display(), "name": person.name},
            "cancel_url": _unit_url(person.unit_id),
        },
        success_url=_unit_url(person.unit_id),
        done=_("已移除“%(name)s”。") % {"name": person.name},
    )


# The map ------------------------------------------------------------------------------------


@dataclass
class NetworkMap:
    svg: str
    title: str
    root: OrgUnit | None
    paper: mapexport.Paper
    filename_stem: str


def _network_map(request: AuthenticatedHttpRequest, *, links: bool) -> NetworkMap:
    """Draw the map of `?root=` (default: the user's visible tops) for `?paper=`."""
    paper = mapexport.paper_from(request.GET.get("paper"))
    root_id = request.GET.get("root")
    root = None
    if root_id:
        root = selectors.access_unit(user=request.user, unit_id=root_id)
    units = selectors.unit_tree(user=request.user, root=root)
    if root is not None:
        tops = [u for u in units if u.pk == root.pk]
    else:
        tops = selectors.tree_roots(units)
    name = tops[0].name if len(tops) == 1 else ""
    title = _("帮扶网络图") + (f" · {name}" if name else "")
    subtitle = _("制图日期:%(date)s") % {"date": timezone.localdate().isoformat()}

    def link(unit: OrgUnit) -> str:
        return reverse("network:unit_detail", args=[unit.pk])

    svg = mapdraw.render_svg(
        tops,
        title=title,
        subtitle=subtitle,
        page_ratio=paper.printable_ratio,
        orientation=request.GET.get("layout"),
        link=link if links else None,
    )
    stem = _("帮扶网络图") + (f"-{name}" if name else "")
    return NetworkMap(svg, title, tops[0] if len(tops) == 1 else None, paper, stem)


def network_map(request: AuthenticatedHttpRequest) -> HttpResponse:
    drawn = _network_map(request, links=True)
    query = request.GET.urlencode()
    a3 = request.GET.copy()
    a3["paper"] = "A3"
    return render(
        request,
        "network/map.html",
        {
            "map": drawn,
            "query": f"?{query}" if query else "",
            "query_a3": f"?{a3.urlencode()}",
            "root_choices": selectors.unit_list(user=request.user).exclude(kind=OrgUnit.Kind.POINT),
        },
    )


def _attachment(content: bytes, *, filename: str, content_type: str) -> HttpResponse:
    """Send `content` as a download named `filename` (RFC 5987 `filename*`, with a plain
    ASCII `filename` for clients that do not read it)."""
    response = HttpResponse(content, content_type=content_type)
    extension = filename.rsplit(".", 1)[-1]
    response["Content-Disposition"] = (
        f'attachment; filename="network-map.{extension}"; '
        f"filename*=UTF-8''{quote(filename, safe='')}"
    )
    return response


def network_map_pdf(request: AuthenticatedHttpRequest) -> HttpResponse:
    drawn = _network_map(request, links=False)
    pdf = mapexport.map_pdf(drawn.svg, title=drawn.title, paper=drawn.paper)
    return _attachment(pdf, filename=f"{drawn.filename_stem}.pdf", content_type="application/pdf")


def network_map_png(request: AuthenticatedHttpRequest) -> HttpResponse:
    drawn = _network_map(request, links=False)
    pdf = mapexport.map_pdf(drawn.svg, title=drawn.title, paper=drawn.paper)
    png = mapexport.pdf_to_png(pdf, dpi=150)
    return _attachment(png, filename=f"{drawn.filename_stem}.png", content_type="image/png")


UNIT_SEARCH_LIMIT = 20


@require_GET
def unit_search(request: HttpRequest) -> JsonResponse:
    """The unit picker's suggestions: up to 20 units whose name contains `q`, within the
    user's scope for `perm` (a permission the user holds; the network's own by default) —
    so that a form can offer a city's 1,111 units without sending them all."""
    perm = request.GET.get("perm") or NetworkPermission.VIEW
    if perm not in policy.user_permissions(request.user):
        return JsonResponse({"results": [], "more": False})
    text = request.GET.get("q", "")[:50]
    found = selectors.unit_search(
        user=request.user, perm=perm, text=text, limit=UNIT_SEARCH_LIMIT + 1
    )
    return JsonResponse(
        {
            "results": [
                {"id": u.id, "name": u.name, "place": u.place} for u in found[:UNIT_SEARCH_LIMIT]
            ],
            "more": len(found) > UNIT_SEARCH_LIMIT,
        }
    )
