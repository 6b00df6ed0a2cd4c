"""The network pages: the tree, a unit, the forms, scope and refused actions."""

from __future__ import annotations

import pytest
from django.urls import reverse

from bangfu.accounts.roles import Role
from bangfu.accounts.tests.factories import make_user
from bangfu.core.models import AuditEvent
from bangfu.network.models import OrgUnit, UnitPerson

K = OrgUnit.Kind
T = OrgUnit.StationType


@pytest.fixture
def as_staff(client, staff):
    client.force_login(staff)
    return client


def _state():
    """What a refused action must leave exactly as it was."""
    return (
        list(OrgUnit.objects.order_by("pk").values_list("pk", "name", "parent_id", "path", "kind")),
        list(UnitPerson.objects.order_by("pk").values_list("pk", "name", "role", "phone")),
        AuditEvent.objects.count(),
    )


def _station_post(network, **overrides):
    data = {
        "parent": network.township.pk,
        "name": "新塘社区帮扶站",
        "short_name": "",
        "kind": K.STATION,
        "station_type": T.COMMUNITY,
        "level": "",
        "address": "新塘社区居委会",
        "phone": "0731-58619999",
        "sort_order": "3",
    }
    return {**data, **overrides}


# The tree ------------------------------------------------------------------------------------


def test_unit_list_shows_the_scope_as_an_indented_tree(as_staff, network):
    UnitPerson.objects.create(
        unit=network.station_a, name="刘桂兰", role=UnitPerson.Role.LEADER, phone="13807321001"
    )

    response = as_staff.get(reverse("network:unit_list"))

    html = response.content.decode()
    assert response.status_code == 200
    for unit, level in [
        (network.township, 0),
        (network.station_a, 1),
        (network.point_a1, 2),
        (network.enterprise, 1),
    ]:
        assert f'data-unit-id="{unit.pk}" data-level="{level}"' in html
    assert network.county.name not in html
    assert network.other_township.name not in html
    assert "刘桂兰" in html and "13807321001" in html
    assert "企业" in html and "帮扶点" in html
    assert reverse("network:unit_create") in html


def test_a_liaison_sees_only_its_station_and_no_create_button(client, liaison_a, network):
    client.force_login(liaison_a)

    html = client.get(reverse("network:unit_list")).content.decode()

    assert network.station_a.name in html and network.point_a1.name in html
    assert network.station_b.name not in html and network.township.name not in html
    assert reverse("network:unit_create") not in html


# Scope: outside looks exactly like missing ----------------------------------------------------


def test_a_liaison_gets_404_for_another_station_as_for_a_missing_one(client, liaison_a, network):
    client.force_login(liaison_a)

    assert (
        client.get(reverse("network:unit_detail", args=[network.station_a.pk])).status_code == 200
    )
    assert (
        client.get(reverse("network:unit_detail", args=[network.station_b.pk])).status_code == 404
    )
    assert client.get(reverse("network:unit_detail", args=[999999])).status_code == 404
    assert client.get(reverse("network:map") + f"?root={network.station_b.pk}").status_code == 404


def test_a_liaison_cannot_reach_manage_pages_for_any_unit(client, liaison_a, network):
    # A liaison holds no network.manage anywhere: the declared-permission middleware refuses
    # every manage page before the object is looked up, so another station, the liaison's own
    # and a missing one answer alike.
    client.force_login(liaison_a)
    before = _state()

    for pk in (network.station_b.pk, network.station_a.pk, 999999):
        for name in ("network:unit_update", "network:unit_delete", "network:person_create"):
            assert client.get(reverse(name, args=[pk])).status_code == 403
            assert client.post(reverse(name, args=[pk]), {"name": "x"}).status_code == 403

    assert _state() == before


@pytest.fixture
def station_a_manager(client, network):
    user = make_user((Role.STAFF, network.station_a), username="station_a_staff")
    client.force_login(user)
    return client


def test_a_station_manager_gets_404_for_another_stations_pages(station_a_manager, network):
    person_b = UnitPerson.objects.create(
        unit=network.station_b, name="赵明", role=UnitPerson.Role.LIAISON, phone="13807321002"
    )
    before = _state()
    b = network.station_b.pk
    urls = [
        reverse("network:unit_detail", args=[b]),
        reverse("network:unit_update", args=[b]),
        reverse("network:unit_delete", args=[b]),
        reverse("network:person_create", args=[b]),
        reverse("network:person_update", args=[person_b.pk]),
        reverse("network:person_delete", args=[person_b.pk]),
        reverse("network:unit_create") + f"?parent={b}",
    ]

    for url in urls:
        assert station_a_manager.get(url).status_code == 404, url
        assert station_a_manager.post(url, {"name": "改名", "role": "liaison"}).status_code == 404

    assert _state() == before
    own = reverse("network:unit_update", args=[network.station_a.pk])
    assert station_a_manager.get(own).status_code == 200


# Create and update -----------------------------------------------------------------------------


def test_create_a_station_under_the_township(as_staff, network):
    audits = AuditEvent.objects.count()

    response = as_staff.post(reverse("network:unit_create"), _station_post(network))

    unit = OrgUnit.objects.get(name="新塘社区帮扶站")
    assert response.status_code == 302
    assert response["Location"] == reverse("network:unit_detail", args=[unit.pk])
    assert (unit.parent, unit.kind, unit.station_type, unit.phone, unit.sort_order) == (
        network.township,
        K.STATION,
        T.COMMUNITY,
        "0731-58619999",
        3,
    )
    assert AuditEvent.objects.count() == audits + 1


def test_create_form_preselects_the_parent_from_the_query(as_staff, network):
    response = as_staff.get(reverse("network:unit_create") + f"?parent={network.station_a.pk}")

    html = response.content.decode()
    assert f'<option value="{network.station_a.pk}" selected>' in html
    assert '<option value="point" selected>' in html


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"name": "响水社区帮扶站"},
            "“响水乡职工服务(帮扶)中心”下已有名为“响水社区帮扶站”的单位。",
        ),
        ({"station_type": ""}, "请选择站点类别(社区或企业)。"),
        ({"parent": "STATION_A"}, "“帮扶站”不能设在“响水社区帮扶站”(帮扶站)之下。"),
        ({"parent": "OTHER"}, "上级单位:请从列表中选择您管理范围内的单位。"),
        ({"name": ""}, "请填写名称。"),
        ({"sort_order": "abc"}, "排序请填写整数。"),
    ],
)
def test_create_with_bad_input_keeps_the_input_and_changes_nothing(
    as_staff, network, overrides, message
):
    parents = {"STATION_A": network.station_a.pk, "OTHER": network.other_township.pk}
    if overrides.get("parent") in parents:
        overrides = {**overrides, "parent": parents[overrides["parent"]]}
    before = _state()

    response = as_staff.post(reverse("network:unit_create"), _station_post(network, **overrides))

    html = response.content.decode()
    assert response.status_code == 400
    assert message in html
    assert 'value="新塘社区居委会"' in html  # what was typed is still there
    assert 'value="0731-58619999"' in html
    assert _state() == before


def test_staff_can_save_their_top_unit_whose_parent_lies_above_their_scope(as_staff, network):
    url = reverse("network:unit_update", args=[network.township.pk])
    response = as_staff.get(url)
    assert f'<option value="{network.county.pk}" selected>' in response.content.decode()

    response = as_staff.post(
        url,
        {
            "parent": network.county.pk,
            "name": network.township.name,
            "kind": K.CENTER,
            "level": OrgUnit.Level.TOWNSHIP,
            "station_type": "",
            "phone": "0731-58610001",
        },
    )

    assert response.status_code == 302
    network.township.refresh_from_db()
    assert (network.township.parent_id, network.township.phone) == (
        network.county.pk,
        "0731-58610001",
    )


def test_update_moves_a_point_to_another_station(as_staff, network):
    point = network.point_a1

    response = as_staff.post(
        reverse("network:unit_update", args=[point.pk]),
        {
            "parent": network.station_b.pk,
            "name": point.name,
            "kind": K.POINT,
            "station_type": T.COMMUNITY,
        },
    )

    assert response.status_code == 302
    point.refresh_from_db()
    assert point.path == f"{network.station_b.path}{point.pk}/"


def test_update_cannot_choose_the_units_own_descendant(as_staff, network):
    before = _state()

    response = as_staff.post(
        reverse("network:unit_update", args=[network.station_a.pk]),
        {
            "parent": network.point_a1.pk,
            "name": network.station_a.name,
            "kind": K.STATION,
            "station_type": T.COMMUNITY,
        },
    )

    assert "上级单位:请从列表中选择您管理范围内的单位。" in response.content.decode()
    assert _state() == before


# Delete -----------------------------------------------------------------------------------


def test_delete_asks_first_then_deletes_an_empty_unit(as_staff, network):
    url = reverse("network:unit_delete", args=[network.point_a1.pk])

    confirm = as_staff.get(url)
    assert "确定删除“响水社区一组帮扶点”吗?" in confirm.content.decode()
    assert OrgUnit.objects.filter(pk=network.point_a1.pk).exists()

    response = as_staff.post(url)

    assert response.status_code == 302
    assert response["Location"] == reverse("network:unit_detail", args=[network.station_a.pk])
    assert not OrgUnit.objects.filter(pk=network.point_a1.pk).exists()


def test_delete_of_a_unit_with_children_and_people_is_refused(as_staff, network):
    UnitPerson.objects.create(unit=network.station_a, name="刘桂兰", role=UnitPerson.Role.LIAISON)
    before = _state()

    response = as_staff.post(reverse("network:unit_delete", args=[network.station_a.pk]))

    assert response.status_code == 409
    assert "“响水社区帮扶站”有下级单位、有人员,不能删除。" in response.content.decode()
    assert _state() == before


# People -----------------------------------------------------------------------------------


def test_detail_groups_the_leading_group_and_the_unit_people(as_staff, network):
    for name, role, post, phone in [
        ("何亮", UnitPerson.Role.GROUP_HEAD, "乡党委副书记", "0731-58610010"),
        ("刘红军", UnitPerson.Role.GROUP_DEPUTY, "乡人大副主席", "0731-58610011"),
        ("郭相妍", UnitPerson.Role.LEADER, "中心主任", "0731-58610012"),
        ("谭文斌", UnitPerson.Role.LAWYER, "", "13807320002"),
    ]:
        UnitPerson.objects.create(
            unit=network.township, name=name, role=role, post=post, phone=phone
        )

    html = as_staff.get(reverse("network:unit_detail", args=[network.township.pk])).content.decode()

    group = html[
        html.index('data-testid="leading-group"') : html.index('data-testid="unit-people"')
    ]
    people = html[html.index('data-testid="unit-people"') :]
    assert "何亮" in group and "乡党委副书记" in group and "0731-58610010" in group
    assert "副组长" in group and "刘红军" in group
    assert "郭相妍" not in group
    assert (
        "负责人" in people and "郭相妍" in people and "律师" in people and "13807320002" in people
    )
    assert network.station_a.name in html  # a child
    assert network.county.name in html  # the parent, named although outside the scope
    assert reverse("network:unit_detail", args=[network.county.pk]) not in html


def test_add_a_group_member_to_a_centre(as_staff, network):
    audits = AuditEvent.objects.count()

    response = as_staff.post(
        reverse("network:person_create", args=[network.township.pk]),
        {"name": "何亮", "role": "group_head", "post": "乡党委副书记", "phone": "0731-58610010"},
    )

    assert response.status_code == 302
    person = UnitPerson.objects.get()
    assert (person.unit, person.role, person.post, person.phone) == (
        network.township,
        "group_head",
        "乡党委副书记",
        "0731-58610010",
    )
    assert AuditEvent.objects.count() == audits + 1


def test_a_station_does_not_offer_leading_group_roles(as_staff, network):
    url = reverse("network:person_create", args=[network.station_a.pk])
    assert 'value="group_head"' not in as_staff.get(url).content.decode()
    before = _state()

    response = as_staff.post(url, {"name": "何亮", "role": "group_head", "phone": "139"})

    html = response.content.decode()
    assert "职责:请从列表中选择。" in html
    assert 'value="何亮"' in html and 'value="139"' in html
    assert _state() == before


def test_person_without_a_name_keeps_the_phone_and_changes_nothing(as_staff, network):
    before = _state()

    response = as_staff.post(
        reverse("network:person_create", args=[network.station_a.pk]),
        {"name": "", "role": "liaison", "phone": "13807321001"},
    )

    html = response.content.decode()
    assert "请填写姓名。" in html and 'value="13807321001"' in html
    assert _state() == before


def test_edit_and_remove_a_person(as_staff, network):
    person = UnitPerson.objects.create(
        unit=network.station_a, name="刘桂兰", role=UnitPerson.Role.LIAISON, phone="1"
    )

    response = as_staff.post(
        reverse("network:person_update", args=[person.pk]),
        {"name": "刘桂兰", "role": "leader", "post": "站长", "phone": "13807321001"},
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.role, person.post, person.phone) == ("leader", "站长", "13807321001")

    confirm = as_staff.get(reverse("network:person_delete", args=[person.pk]))
    assert "确定从“响水社区帮扶站”移除负责人“刘桂兰”吗?" in confirm.content.decode()
    response = as_staff.post(reverse("network:person_delete", args=[person.pk]))

    assert response["Location"] == reverse("network:unit_detail", args=[network.station_a.pk])
    assert not UnitPerson.objects.exists()
