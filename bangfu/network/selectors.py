"""Reads of the network, always scoped to the asking user."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from bangfu.accounts import policy

from .models import OrgUnit, UnitPerson
from .permissions import NetworkPermission


def unit_list(*, user: Any, perm: str = NetworkPermission.VIEW) -> QuerySet[OrgUnit]:
    """Return the units the user may see for `perm`, in tree order (by path)."""
    return OrgUnit.objects.filter(policy.scope_q(user, perm, field="")).order_by("path")


def access_unit(*, user: Any, unit_id: Any, perm: str = NetworkPermission.VIEW) -> OrgUnit:
    """Return the unit if it lies in the user's scope for `perm`; raise NotFound otherwise,
    exactly as for a unit that does not exist."""
    return policy.scoped_get(
        unit_list(user=user, perm=perm).select_related("parent"),
        unit_id,
        message=_("未找到该组织单位。"),
    )


def access_person(*, user: Any, person_id: Any, perm: str = NetworkPermission.VIEW) -> UnitPerson:
    """Return the person if their unit lies in the user's scope for `perm`; raise NotFound
    otherwise."""
    return policy.scoped_get(
        UnitPerson.objects.filter(policy.scope_q(user, perm, field="unit")).select_related("unit"),
        person_id,
        message=_("未找到该人员。"),
    )


def unit_tree(*, user: Any, root: OrgUnit | None = None) -> list[OrgUnit]:
    """Return the visible units (under `root` when given) with their people prefetched and
    `tree_children` set, ordered so that each parent comes before its children."""
    qs = unit_list(user=user)
    if root is not None:
        qs = qs.filter(path__startswith=root.path)
    units: list[OrgUnit] = list(
        qs.annotate(child_count=Count("children", distinct=True)).prefetch_related(
            Prefetch("people", queryset=UnitPerson.objects.order_by("sort_order", "id"))
        )
    )
    by_id = {u.pk: u for u in units}
    for unit in units:
        unit.tree_children = []  # type: ignore[attr-defined]
    for unit in sorted(units, key=lambda u: (u.sort_order, u.name)):
        parent = by_id.get(unit.parent_id) if unit.parent_id else None
        if parent is not None:
            parent.tree_children.append(unit)  # type: ignore[attr-defined]
    return units


def tree_roots(units: list[OrgUnit]) -> list[OrgUnit]:
    """Return the units whose parent is not among `units` (the tops of what the user sees)."""
    ids = {u.pk for u in units}
    return sorted(
        (u for u in units if u.parent_id not in ids), key=lambda u: (u.sort_order, u.path)
    )


def nearest_centre(unit: OrgUnit) -> OrgUnit:
    """Return the unit itself if it is a centre, else its nearest centre above it."""
    if unit.kind == OrgUnit.Kind.CENTER:
        return unit
    ancestors = OrgUnit.objects.in_bulk(unit.ancestor_ids())
    for ancestor_id in reversed(unit.ancestor_ids()):
        ancestor = ancestors.get(ancestor_id)
        if ancestor is not None and ancestor.kind == OrgUnit.Kind.CENTER:
            return ancestor
    raise ValueError(f"Unit {unit.pk} has no centre above it.")


def centres_above(unit: OrgUnit) -> list[OrgUnit]:
    """Return the centres at and above `unit`, nearest first (township, county, city…)."""
    ids = [*unit.ancestor_ids(), unit.pk]
    units = OrgUnit.objects.in_bulk(ids)
    return [units[i] for i in reversed(ids) if i in units and units[i].kind == OrgUnit.Kind.CENTER]


@dataclass(frozen=True)
class UnitChoice:
    """A unit offered by the unit picker: its name and where it sits (its centres above)."""

    id: int
    name: str
    place: str  # the names above it, top first: "江城市…中心 › 雨湖区…中心"


def unit_search(*, user: Any, perm: str, text: str = "", limit: int = 20) -> list[UnitChoice]:
    """Return up to `limit` units in the user's scope for `perm` whose name contains `text`
    (the first ones in tree order when `text` is empty), each with the names above it.

    Two queries whatever the size of the scope: a city's 1,111 units are searched, never
    sent to the browser as one long list.
    """
    units = unit_list(user=user, perm=perm)
    text = text.strip()
    if text:
        units = units.filter(Q(name__icontains=text) | Q(short_name__icontains=text))
    found = list(units.only("pk", "name", "path")[:limit])
    above = {pk for unit in found for pk in unit.ancestor_ids()}
    names = dict(OrgUnit.objects.filter(pk__in=above).values_list("pk", "name"))
    return [
        UnitChoice(
            id=unit.pk,
            name=unit.name,
            place=" › ".join(names[pk] for pk in unit.ancestor_ids() if pk in names),
        )
        for unit in found
    ]
