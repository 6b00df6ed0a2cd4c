"""The network map: the SVG's content and scope, its layout, and the PDF and PNG downloads."""

from __future__ import annotations

import html
import io
import itertools
import re
import struct
from typing import Any
from urllib.parse import quote

import pytest
from django.urls import reverse
from pypdf import PdfReader

from bangfu.accounts.roles import Role
from bangfu.accounts.tests.factories import make_user
from bangfu.network import mapdraw, selectors
from bangfu.network.models import OrgUnit, UnitPerson
from bangfu.network.tests.factories import make_unit

P = UnitPerson.Role


@pytest.fixture
def township(network):
    """The 响水乡 centre with a leading group of three, its staff, and a liaison per station."""
    people = [
        (network.township, "何亮", P.GROUP_HEAD, "乡党委副书记", "0731-58610010"),
        (network.township, "刘红军", P.GROUP_DEPUTY, "乡人大副主席", "0731-58610011"),
        (network.township, "陈建国", P.GROUP_MEMBER, "民政办主任", "0731-58610013"),
        (network.township, "郭相妍", P.LEADER, "中心主任", "0731-58610012"),
        (network.township, "张慧敏", P.STAFF, "", "13807320001"),
        (network.station_a, "刘桂兰", P.LIAISON, "", "13807321001"),
        (network.station_b, "赵明", P.LIAISON, "", "13807321002"),
        (network.enterprise, "孙卫东", P.LIAISON, "", "13807321004"),
        (network.point_a1, "陈秀英", P.LIAISON, "", "13807322001"),
        (network.other_township, "外乡人", P.LIAISON, "", "13900000000"),
    ]
    for unit, name, role, post, phone in people:
        UnitPerson.objects.create(unit=unit, name=name, role=role, post=post, phone=phone)
    return network


def _svg(html: str) -> str:
    return html[html.index("<svg") : html.index("</svg>") + 6]


def test_the_map_shows_every_visible_unit_and_its_peoples_phones(client, staff, township):
    client.force_login(staff)

    response = client.get(reverse("network:map"))

    svg = _svg(response.content.decode())
    for unit in (
        township.township,
        township.station_a,
        township.station_b,
        township.enterprise,
        township.point_a1,
    ):
        assert f"<title>{unit.name}</title>" in svg
    for phone in (
        "0731-58610010",
        "0731-58610011",
        "0731-58610013",
        "13807320001",
        "13807321001",
        "13807321002",
        "13807321004",
        "13807322001",
    ):
        assert f">{phone}</text>" in svg
    assert ">领导小组</text>" in svg and ">组长</text>" in svg and ">乡党委副书记</text>" in svg
    assert township.county.name not in svg
    assert township.other_township.name not in svg and "13900000000" not in svg
    assert 'viewBox="0 0 ' in svg
    assert "@page { size: A4 landscape; margin: 10mm }" in response.content.decode()


def test_a_liaison_maps_only_its_station(client, liaison_a, township):
    client.force_login(liaison_a)

    svg = _svg(client.get(reverse("network:map")).content.decode())

    assert township.station_a.name in svg and township.point_a1.name in svg
    assert township.township.name not in svg and township.station_b.name not in svg
    assert "0731-58610010" not in svg


def test_the_map_can_start_at_a_unit_in_scope(client, staff, township):
    client.force_login(staff)

    svg = _svg(
        client.get(reverse("network:map") + f"?root={township.station_a.pk}").content.decode()
    )

    assert township.station_a.name in svg and township.point_a1.name in svg
    assert township.station_b.name not in svg and "0731-58610010" not in svg


def test_unit_names_are_escaped_in_the_svg(client, staff, network):
    make_unit("<script>alert(1)</script>", parent=network.township, kind=OrgUnit.Kind.STATION)
    client.force_login(staff)

    svg = _svg(client.get(reverse("network:map")).content.decode())

    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in svg
    assert "<script>" not in svg


def _rectangles(boxes):
    return [(b.x, b.y, b.x + b.width, b.y + b.height) for b in boxes]


@pytest.mark.parametrize("orientation", mapdraw.ORIENTATIONS)
def test_the_layout_never_overlaps_boxes_and_centres_parents(network, staff, orientation):
    # Given an uneven tree: many points under one station, a long name, people of all roles.
    for i in range(6):
        make_unit(f"响水社区第{i}组帮扶点", parent=network.station_b, kind=OrgUnit.Kind.POINT)
    make_unit(
        "一个名字非常非常非常非常非常非常长的社区帮扶站",
        parent=network.township,
        kind=OrgUnit.Kind.STATION,
    )
    for role in P.values:
        UnitPerson.objects.create(
            unit=network.township,
            name="某某某",
            role=role,
            post="很长很长很长很长很长很长的职务名称",
            phone="13800000000",
        )
    units = selectors.unit_tree(user=staff)
    boxes = mapdraw.build_boxes(selectors.tree_roots(units))

    result = mapdraw.layout(boxes, orientation)

    rects = _rectangles(result.boxes)
    assert len(rects) == 12
    for a, b in itertools.combinations(rects, 2):
        apart = a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1]
        assert apart, (a, b)
    assert min(r[0] for r in rects) == 0 and min(r[1] for r in rects) == 0
    assert max(r[2] for r in rects) == pytest.approx(result.width)
    assert max(r[3] for r in rects) == pytest.approx(result.height)
    for box in result.boxes:
        if box.children:
            first, last = box.children[0], box.children[-1]
            if orientation == mapdraw.TOP_DOWN:
                mid = (first.x + first.width / 2 + last.x + last.width / 2) / 2
                assert box.x + box.width / 2 == pytest.approx(mid)
            else:
                mid = (first.y + first.height / 2 + last.y + last.height / 2) / 2
                assert box.y + box.height / 2 == pytest.approx(mid)


def test_the_layout_that_draws_larger_on_a_landscape_page_wins(network):
    # Given a wide, flat centre (a column of short boxes fills the page best) and a chain of
    # centres (a row of them would be too long: top-down wins).
    wide = make_unit("宽乡帮扶中心", parent=network.county)
    for i in range(12):
        make_unit(f"宽乡第{i}站", parent=wide, kind=OrgUnit.Kind.STATION)
    chain = parent = make_unit("链条一级帮扶中心", parent=network.county)
    for i in range(5):
        parent = make_unit(f"链条{i}级帮扶中心", parent=parent)
    county_user = make_user((Role.STAFF, network.county))

    def svg(root):
        units = selectors.unit_tree(user=county_user, root=root)
        return mapdraw.render_svg([u for u in units if u.pk == root.pk], title="t")

    assert 'data-layout="lr"' in svg(wide)
    assert 'data-layout="tb"' in svg(chain)


def test_text_wraps_at_spaces_and_never_exceeds_the_width():
    lines = mapdraw.wrap("响水乡 工业园 13807321004 号", 12, 100)

    assert lines == ["响水乡 工业园", "13807321004 号"]
    assert all(mapdraw.text_width(line, 12) <= 100 for line in lines)


# Downloads ------------------------------------------------------------------------------------


def _filename_star(response) -> str:
    match = re.search(r"filename\*=UTF-8''(\S+)", response["Content-Disposition"])
    assert match
    return match.group(1)


def test_the_pdf_is_one_landscape_a4_page_with_an_embedded_noto_cjk_font(client, staff, township):
    client.force_login(staff)

    response = client.get(reverse("network:map_pdf"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert _filename_star(response) == quote("帮扶网络图-响水乡职工服务(帮扶)中心.pdf", safe="")
    assert response["Content-Disposition"].startswith('attachment; filename="network-map.pdf"')
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) == 1
    page = reader.pages[0]
    width, height = float(page.mediabox.width), float(page.mediabox.height)
    assert (round(width), round(height)) == (842, 595)
    resources: Any = page["/Resources"]
    font_dict = resources["/Font"]
    fonts = {str(font.get_object()["/BaseFont"]) for font in font_dict.values()}
    assert any("Noto-Sans-CJK-SC" in name for name in fonts), fonts
    text = page.extract_text()
    assert "响水社区帮扶站" in text and "13807321001" in text


def test_the_pdf_can_be_a3_by_a_button_that_keeps_the_chosen_unit(client, staff, township):
    client.force_login(staff)
    map_page = client.get(reverse("network:map"), {"root": township.township.pk}).content.decode()
    a3_link = re.search(r'href="([^"]+)" data-testid="map-pdf-a3"', map_page)
    assert a3_link is not None
    assert f"root={township.township.pk}" in a3_link.group(1)

    response = client.get(html.unescape(a3_link.group(1)))

    page = PdfReader(io.BytesIO(response.content)).pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (1191, 842)


def test_the_png_is_a_landscape_image_at_150_dpi(client, staff, township):
    client.force_login(staff)

    response = client.get(reverse("network:map_png"))

    assert response["Content-Type"] == "image/png"
    assert _filename_star(response) == quote("帮扶网络图-响水乡职工服务(帮扶)中心.png", safe="")
    png = response.content
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    assert (width, height) == (1754, 1240) or (width, height) == (1754, 1241)


def test_the_downloads_of_a_unit_outside_the_scope_are_404(client, liaison_a, township):
    client.force_login(liaison_a)

    for name in ("network:map_pdf", "network:map_png"):
        url = reverse(name) + f"?root={township.station_b.pk}"
        assert client.get(url).status_code == 404
