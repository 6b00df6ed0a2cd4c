"""The network's writes: tree rules, scope, names, moves and refused deletes."""

from __future__ import annotations

import pytest

from bangfu.accounts.roles import Role
from bangfu.accounts.tests.factories import make_user
from bangfu.core.errors import Conflict, ValidationError
from bangfu.core.models import AuditEvent
from bangfu.network import services
from bangfu.network.models import OrgUnit, UnitPerson

K = OrgUnit.Kind
T = OrgUnit.StationType


def _station(**overrides):
    fields = {"name": "新塘社区帮扶站", "kind": K.STATION, "station_type": T.COMMUNITY}
    return {**fields, **overrides}


def test_create_station_sets_path_depth_and_writes_one_audit_event(network, staff):
    before = AuditEvent.objects.count()

    unit = services.unit_create(actor=staff, parent=network.township, **_station(phone=" 138 "))

    unit.refresh_from_db()
    assert unit.path == f"{network.township.path}{unit.pk}/"
    assert unit.depth == 2
    assert unit.phone == "138"
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.latest("seq")
    assert (event.action, event.object_id) == ("network.unit.create", str(unit.pk))


def _assert_refused(network_units_before: int, audit_before: int) -> None:
    assert OrgUnit.objects.count() == network_units_before
    assert AuditEvent.objects.count() == audit_before


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"name": "响水社区帮扶站"},
            "name",
            "“响水乡职工服务(帮扶)中心”下已有名为“响水社区帮扶站”的单位。",
        ),
        ({"name": "  "}, "name", "请填写名称。"),
        ({"station_type": ""}, "station_type", "请选择站点类别(社区或企业)。"),
        ({"kind": K.CENTER}, "station_type", "帮扶中心不分社区、企业。"),
        ({"level": OrgUnit.Level.TOWNSHIP}, "level", "只有帮扶中心有行政级别。"),
    ],
)
def test_create_refuses_bad_input_naming_the_field(network, staff, overrides, field, message):
    units, audits = OrgUnit.objects.count(), AuditEvent.objects.count()

    with pytest.raises(ValidationError) as caught:
        services.unit_create(actor=staff, parent=network.township, **_station(**overrides))

    assert caught.value.errors[field] == message
    _assert_refused(units, audits)


def test_the_same_name_is_allowed_under_another_parent(network):
    county_staff = make_user((Role.STAFF, network.county))

    unit = services.unit_create(
        actor=county_staff, parent=network.other_township, **_station(name="响水社区帮扶站")
    )

    assert unit.parent == network.other_township


def test_a_station_cannot_stand_under_a_station(network, staff):
    units, audits = OrgUnit.objects.count(), AuditEvent.objects.count()

    with pytest.raises(ValidationError) as caught:
        services.unit_create(actor=staff, parent=network.station_a, **_station())

    assert caught.value.errors["parent"] == "“帮扶站”不能设在“响水社区帮扶站”(帮扶站)之下。"
    _assert_refused(units, audits)


def test_a_parent_outside_the_actors_scope_is_refused(network, staff):
    units, audits = OrgUnit.objects.count(), AuditEvent.objects.count()

    with pytest.raises(ValidationError) as caught:
        services.unit_create(actor=staff, parent=network.other_township, **_station())

    assert caught.value.errors == {"parent": "上级单位不在您的管理范围内。"}
    _assert_refused(units, audits)


def test_moving_a_station_re_paths_everything_under_it(network):
    county_staff = make_user((Role.STAFF, network.county))
    station, point = network.station_a, network.point_a1

    services.unit_update(
        actor=county_staff,
        unit=station,
        parent=network.other_township,
        name=station.name,
        kind=station.kind,
        station_type=station.station_type,
    )

    station.refresh_from_db()
    point.refresh_from_db()
    assert station.path == f"{network.other_township.path}{station.pk}/"
    assert point.path == f"{station.path}{point.pk}/"
    assert (station.depth, point.depth) == (2, 3)
    event = AuditEvent.objects.latest("seq")
    assert event.action == "network.unit.update"
    assert event.changes["parent_id"] == [network.township.pk, network.other_township.pk]


def test_a_unit_cannot_move_under_its_own_descendant(network, staff):
    township = network.township
    audits = AuditEvent.objects.count()

    with pytest.raises(ValidationError) as caught:
        services.unit_update(
            actor=staff,
            unit=network.station_a,
            parent=network.point_a1,
            name=network.station_a.name,
            kind=K.STATION,
            station_type=T.COMMUNITY,
        )

    assert caught.value.errors["parent"] == "不能把单位移到它自己或它的下级之下。"
    network.station_a.refresh_from_db()
    assert network.station_a.parent == township
    assert AuditEvent.objects.count() == audits


def test_a_station_with_points_cannot_become_a_point(network, staff):
    audits = AuditEvent.objects.count()

    with pytest.raises(ValidationError) as caught:
        services.unit_update(
            actor=staff,
            unit=network.station_a,
            parent=network.township,
            name=network.station_a.name,
            kind=K.POINT,
            station_type=T.COMMUNITY,
        )

    assert "kind" in caught.value.errors
    assert OrgUnit.objects.get(pk=network.station_a.pk).kind == K.STATION
    assert AuditEvent.objects.count() == audits


def test_renaming_to_a_sibling_name_is_refused(network, staff):
    audits = AuditEvent.objects.count()

    with pytest.raises(ValidationError) as caught:
        services.unit_update(
            actor=staff,
            unit=network.station_b,
            parent=network.township,
            name="响水社区帮扶站",
            kind=K.STATION,
            station_type=T.COMMUNITY,
        )

    assert caught.value.errors == {
        "name": "“响水乡职工服务(帮扶)中心”下已有名为“响水社区帮扶站”的单位。"
    }
    assert OrgUnit.objects.get(pk=network.station_b.pk).name == "金霞社区帮扶站"
    assert AuditEvent.objects.count() == audits


def test_delete_refuses_a_unit_with_children(network, staff):
    audits = AuditEvent.objects.count()

    with pytest.raises(Conflict) as caught:
        services.unit_delete(actor=staff, unit=network.station_a)

    assert caught.value.message == "“响水社区帮扶站”有下级单位,不能删除。请先移走或删除它们。"
    assert OrgUnit.objects.filter(pk=network.station_a.pk).exists()
    assert AuditEvent.objects.count() == audits


def test_delete_refuses_a_unit_with_people(network, staff):
    UnitPerson.objects.create(unit=network.station_b, name="王五", role=UnitPerson.Role.LIAISON)
    audits = AuditEvent.objects.count()

    with pytest.raises(Conflict) as caught:
        services.unit_delete(actor=staff, unit=network.station_b)

    assert "有人员" in caught.value.message
    assert OrgUnit.objects.filter(pk=network.station_b.pk).exists()
    assert AuditEvent.objects.count() == audits


def test_delete_removes_an_empty_unit_with_an_audit_event(network, staff):
    audits = AuditEvent.objects.count()

    services.unit_delete(actor=staff, unit=network.point_a1)

    assert not OrgUnit.objects.filter(pk=network.point_a1.pk).exists()
    assert AuditEvent.objects.count() == audits + 1
    assert AuditEvent.objects.latest("seq").action == "network.unit.delete"


def test_the_leading_group_sits_only_at_centres(network, staff):
    audits = AuditEvent.objects.count()

    with pytest.raises(ValidationError) as caught:
        services.person_add(
            actor=staff, unit=network.station_a, name="何亮", role=UnitPerson.Role.GROUP_HEAD
        )

    assert caught.value.errors == {"role": "领导小组只设在帮扶中心。"}
    assert not UnitPerson.objects.exists()
    assert AuditEvent.objects.count() == audits


def test_person_add_update_remove_each_write_one_audit_event(network, staff):
    audits = AuditEvent.objects.count()

    person = services.person_add(
        actor=staff,
        unit=network.township,
        name="何亮",
        role=UnitPerson.Role.GROUP_HEAD,
        post="乡党委副书记",
        phone="0731-58610010",
    )
    services.person_update(
        actor=staff, person=person, name="何亮", role=UnitPerson.Role.GROUP_HEAD, phone="139"
    )
    services.person_remove(actor=staff, person=person)

    actions = list(AuditEvent.objects.order_by("seq").values_list("action", flat=True)[audits:])
    assert actions == ["network.person.add", "network.person.update", "network.person.remove"]
    assert not UnitPerson.objects.exists()


def test_services_answer_not_found_for_a_unit_outside_the_actors_scope(network):
    """Given staff of station A only, when it calls the services on station B directly, then
    each answers "not found" (as for a missing unit) and nothing changes."""
    from bangfu.accounts.roles import Role
    from bangfu.accounts.tests.factories import make_user
    from bangfu.core.errors import NotFound
    from bangfu.core.models import AuditEvent
    from bangfu.network import services
    from bangfu.network.models import OrgUnit, UnitPerson

    actor = make_user((Role.STAFF, network.station_a), username="staff_a_only")
    person = UnitPerson.objects.create(unit=network.station_b, name="王五", role="liaison")
    events = AuditEvent.objects.count()

    calls = [
        lambda: services.unit_update(
            actor=actor,
            unit=network.station_b,
            parent=network.township,
            name="改名",
            kind=OrgUnit.Kind.STATION,
            station_type=OrgUnit.StationType.COMMUNITY,
        ),
        lambda: services.unit_delete(actor=actor, unit=network.station_b),
        lambda: services.person_add(
            actor=actor, unit=network.station_b, name="赵六", role="liaison"
        ),
        lambda: services.person_update(actor=actor, person=person, name="改名", role="liaison"),
        lambda: services.person_remove(actor=actor, person=person),
    ]
    for call in calls:
        with pytest.raises(NotFound):
            call()

    assert OrgUnit.objects.get(pk=network.station_b.pk).name == network.station_b.name
    assert list(UnitPerson.objects.values_list("name", flat=True)) == ["王五"]
    assert AuditEvent.objects.count() == events


def test_nearest_centre_and_centres_above(network):
    from bangfu.network.selectors import centres_above, nearest_centre

    assert nearest_centre(network.point_a1) == network.township
    assert nearest_centre(network.township) == network.township
    assert centres_above(network.point_a1) == [network.township, network.county]
