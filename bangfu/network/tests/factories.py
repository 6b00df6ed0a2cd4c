from __future__ import annotations

from typing import Any

from bangfu.network.models import OrgUnit


def make_unit(
    name: str,
    *,
    parent: OrgUnit | None = None,
    kind: str = OrgUnit.Kind.CENTER,
    station_type: str = "",
    level: str = "",
    **fields: Any,
) -> OrgUnit:
    """Create a unit directly (no audit event), with its path set as the services would."""
    if kind != OrgUnit.Kind.CENTER and not station_type:
        station_type = OrgUnit.StationType.COMMUNITY
    unit = OrgUnit.objects.create(
        parent=parent,
        name=name,
        kind=kind,
        station_type=station_type,
        level=level,
        depth=(parent.depth + 1) if parent else 0,
        **fields,
    )
    unit.path = f"{parent.path if parent else '/'}{unit.pk}/"
    unit.save(update_fields=["path"])
    return unit
