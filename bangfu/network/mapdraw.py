"""Draw the network map (帮扶网络图) as SVG, laid out in Python.

The layout is a tidy tree (Reingold–Tilford with contours): every subtree is packed as close to
its left sibling as its outline at each level allows, and each parent is centred over its first
and last child. Boxes differ in size (a centre with its leading group is tall), so each level is
as deep as its largest box. The tree is laid out both top-down and left-to-right, and the one that
fills a landscape page better is drawn.

Text widths are estimated (CJK characters one em, Latin about 0.6 em) rather than measured, so
that the same SVG works in WeasyPrint and in any browser; the estimate errs on the wide side.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from django.utils.translation import gettext as _

from .models import OrgUnit, UnitPerson

FONT_FAMILY = "Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, PingFang SC, sans-serif"

TITLE_SIZE = 22.0
NAME_SIZE = 15.0
KIND_SIZE = 11.5
TEXT_SIZE = 12.0
LINE_GAP = 1.35  # line height as a multiple of the font size
PAD_X = 9.0
PAD_Y = 7.0
MIN_BOX_WIDTH = 130.0
MAX_TEXT_WIDTH = 230.0  # a longer line is wrapped
SIBLING_GAP = 18.0
LEVEL_GAP = 46.0
MARGIN = 16.0
HEADER_HEIGHT = 64.0  # title and legend above the tree

TOP_DOWN = "tb"
LEFT_RIGHT = "lr"
ORIENTATIONS = (TOP_DOWN, LEFT_RIGHT)

COLOURS = {
    "center": "#b71c1c",
    "community": "#1565c0",
    "enterprise": "#2e7d32",
    "point": "#6d4c41",
}

UNIT_ROLES = (
    UnitPerson.Role.LEADER,
    UnitPerson.Role.STAFF,
    UnitPerson.Role.WORKER,
    UnitPerson.Role.LAWYER,
    UnitPerson.Role.LIAISON,
)
GROUP_ROLES = (
    UnitPerson.Role.GROUP_HEAD,
    UnitPerson.Role.GROUP_DEPUTY,
    UnitPerson.Role.GROUP_MEMBER,
)


def group_labels() -> dict[str, str]:
    # Under the 领导小组 heading the long role names are shortened.
    return {
        UnitPerson.Role.GROUP_HEAD: _("组长"),
        UnitPerson.Role.GROUP_DEPUTY: _("副组长"),
        UnitPerson.Role.GROUP_MEMBER: _("成员"),
    }


def char_width(char: str) -> float:
    """Return the estimated advance of `char` in ems."""
    if unicodedata.east_asian_width(char) in ("W", "F", "A"):
        return 1.0
    if char == " ":
        return 0.3
    if char.isupper():
        return 0.68
    return 0.6


def text_width(text: str, size: float) -> float:
    return sum(char_width(c) for c in text) * size


def wrap(text: str, size: float, max_width: float) -> list[str]:
    """Split `text` into lines no wider than `max_width`, preferring to break at spaces."""
    lines: list[str] = []
    rest = text
    while rest and text_width(rest, size) > max_width:
        width = 0.0
        cut = 0
        for i, char in enumerate(rest):
            width += char_width(char) * size
            if width > max_width:
                break
            cut = i + 1
        cut = max(cut, 1)
        space = rest.rfind(" ", 0, cut + 1)
        if space > cut // 2:
            cut = space
        lines.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest or not lines:
        lines.append(rest)
    return lines


@dataclass
class Line:
    text: str
    size: float
    css_class: str  # "n" unit name, "k" kind line


@dataclass
class Row:
    """A line of the box body: a section heading, or a person in columns (role, name, post,
    phone), each cell wrapped to its column."""

    heading: str = ""
    cells: list[list[str]] = field(default_factory=list)

    @property
    def lines(self) -> int:
        return 1 if self.heading else max(len(cell) for cell in self.cells)


# Widest a body column may grow before its text wraps (role, name, post, phone).
COLUMN_CAPS = (6 * TEXT_SIZE, 5 * TEXT_SIZE, 9 * TEXT_SIZE, 14 * TEXT_SIZE)
COLUMN_GAP = 8.0


@dataclass
class Box:
    unit: OrgUnit
    colour: str
    header: list[Line]
    body: list[Row]
    columns: list[float] = field(default_factory=list)
    children: list[Box] = field(default_factory=list)
    natural_width: float = 0.0
    width: float = 0.0
    height: float = 0.0
    header_height: float = 0.0
    level: int = 0
    rel: float = 0.0  # offset from the parent's centre along the breadth axis
    x: float = 0.0
    y: float = 0.0

    def size(self, orientation: str) -> tuple[float, float]:
        """Return (breadth, depth) extents for the orientation."""
        if orientation == TOP_DOWN:
            return self.width, self.height
        return self.height, self.width


def _colour(unit: OrgUnit) -> str:
    if unit.kind == OrgUnit.Kind.CENTER:
        return COLOURS["center"]
    if unit.kind == OrgUnit.Kind.POINT:
        return COLOURS["point"]
    if unit.station_type == OrgUnit.StationType.ENTERPRISE:
        return COLOURS["enterprise"]
    return COLOURS["community"]


def kind_label(unit: OrgUnit) -> str:
    """Return e.g. "社区帮扶站" or "乡镇(街道)级帮扶中心"."""
    label = str(OrgUnit.Kind(unit.kind).label)
    if unit.kind != OrgUnit.Kind.CENTER and unit.station_type:
        label = _("%(qualifier)s%(kind)s") % {
            "qualifier": OrgUnit.StationType(unit.station_type).label,
            "kind": label,
        }
    elif unit.level:
        label = _("%(qualifier)s%(kind)s") % {
            "qualifier": OrgUnit.Level(unit.level).label,
            "kind": label,
        }
    return label


def _person_row(label: str, person: UnitPerson) -> Row:
    texts = (label, person.name, person.post, person.phone)
    return Row(
        cells=[
            wrap(text, TEXT_SIZE, cap) if text else []
            for text, cap in zip(texts, COLUMN_CAPS, strict=True)
        ]
    )


def _header_lines(text: str, size: float, css_class: str) -> list[Line]:
    return [Line(part, size, css_class) for part in wrap(text, size, MAX_TEXT_WIDTH)]


def _make_box(unit: OrgUnit) -> Box:
    header = _header_lines(unit.name, NAME_SIZE, "n")
    sub = kind_label(unit)
    if unit.phone:
        sub += f" · {unit.phone}"
    header += _header_lines(sub, KIND_SIZE, "k")

    people: list[UnitPerson] = list(unit.people.all())
    body: list[Row] = []
    if unit.kind == OrgUnit.Kind.CENTER:
        group = [p for role in GROUP_ROLES for p in people if p.role == role]
        if group:
            labels = group_labels()
            body.append(Row(heading=_("领导小组")))
            body += [_person_row(labels[p.role], p) for p in group]
            if any(p.role in UNIT_ROLES for p in people):
                body.append(Row(heading=_("中心人员")))
    for role in UNIT_ROLES:
        body += [_person_row(str(role.label), p) for p in people if p.role == role]

    columns = [0.0] * len(COLUMN_CAPS)
    for row in body:
        for i, cell in enumerate(row.cells):
            for text in cell:
                columns[i] = max(columns[i], text_width(text, TEXT_SIZE))
    used = [w for w in columns if w > 0]
    body_width = sum(used) + COLUMN_GAP * max(len(used) - 1, 0)
    body_width = max(
        [body_width] + [text_width(row.heading, TEXT_SIZE) for row in body if row.heading]
    )
    widest = max([text_width(line.text, line.size) for line in header] + [body_width])
    box = Box(unit=unit, colour=_colour(unit), header=header, body=body, columns=columns)
    box.width = box.natural_width = max(MIN_BOX_WIDTH, widest + 2 * PAD_X)
    box.header_height = sum(line.size * LINE_GAP for line in header) + 2 * PAD_Y
    body_lines = sum(row.lines for row in body)
    box.height = box.header_height + (body_lines * TEXT_SIZE * LINE_GAP + 2 * PAD_Y if body else 0)
    return box


def build_boxes(roots: Iterable[OrgUnit]) -> list[Box]:
    """Return a box per unit, nested like the units' `tree_children` (see `unit_tree`)."""

    def build(unit: OrgUnit, level: int) -> Box:
        box = _make_box(unit)
        box.level = level
        box.children = [build(child, level + 1) for child in getattr(unit, "tree_children", [])]
        return box

    return [build(root, 0) for root in roots]


Contour = list[tuple[float, float]]


def _pack_row(boxes: Sequence[Box], orientation: str) -> Contour:
    """Place `boxes` side by side as close as their outlines allow; set each one's `rel`
    (relative to the row's centre) and return the row's outline, one (low, high) per level."""
    contours = [_pack(box, orientation) for box in boxes]
    offsets = [0.0]
    merged = list(contours[0])
    for contour in contours[1:]:
        shared = min(len(merged), len(contour))
        shift = max(merged[i][1] + SIBLING_GAP - contour[i][0] for i in range(shared))
        offsets.append(shift)
        for i, (low, high) in enumerate(contour):
            if i < len(merged):
                merged[i] = (min(merged[i][0], low + shift), max(merged[i][1], high + shift))
            else:
                merged.append((low + shift, high + shift))
    centre = (offsets[0] + offsets[-1]) / 2
    for box, offset in zip(boxes, offsets, strict=True):
        box.rel = offset - centre
    return [(low - centre, high - centre) for low, high in merged]


def _pack(box: Box, orientation: str) -> Contour:
    breadth, _depth = box.size(orientation)
    own = (-breadth / 2, breadth / 2)
    if not box.children:
        return [own]
    below = _pack_row(box.children, orientation)
    return [own, *below]


def _walk(boxes: Iterable[Box]) -> Iterable[Box]:
    for box in boxes:
        yield box
        yield from _walk(box.children)


@dataclass
class Layout:
    boxes: list[Box]
    roots: list[Box]
    orientation: str
    width: float
    height: float


def layout(roots: list[Box], orientation: str) -> Layout:
    """Place every box; return the drawing's size (without the header)."""
    everything = list(_walk(roots))
    widest_of_level: dict[int, float] = {}
    for box in everything:
        widest_of_level[box.level] = max(widest_of_level.get(box.level, 0.0), box.natural_width)
    for box in everything:
        # Left to right, the boxes of a column share its width: tidier, and it costs no room.
        box.width = widest_of_level[box.level] if orientation == LEFT_RIGHT else box.natural_width
    _pack_row(roots, orientation)
    depth_of_level: dict[int, float] = {}
    for box in everything:
        depth_of_level[box.level] = max(
            depth_of_level.get(box.level, 0.0), box.size(orientation)[1]
        )
    start_of_level: dict[int, float] = {}
    position = 0.0
    for level in sorted(depth_of_level):
        start_of_level[level] = position
        position += depth_of_level[level] + LEVEL_GAP
    total_depth = position - LEVEL_GAP

    centres: dict[int, float] = {}

    def place(box: Box, parent_centre: float) -> None:
        centre = parent_centre + box.rel
        centres[id(box)] = centre
        for child in box.children:
            place(child, centre)

    for root in roots:
        place(root, 0.0)
    low = min(centres[id(b)] - b.size(orientation)[0] / 2 for b in everything)
    high = max(centres[id(b)] + b.size(orientation)[0] / 2 for b in everything)
    for box in everything:
        breadth, _depth = box.size(orientation)
        b = centres[id(box)] - breadth / 2 - low
        d = start_of_level[box.level]
        box.x, box.y = (b, d) if orientation == TOP_DOWN else (d, b)
    if orientation == TOP_DOWN:
        return Layout(everything, roots, orientation, high - low, total_depth)
    return Layout(everything, roots, orientation, total_depth, high - low)


def _fit(width: float, height: float, page_ratio: float) -> float:
    """Return how large the drawing comes out on a page of the given width/height ratio."""
    page_w, page_h = page_ratio, 1.0
    return min(page_w / width, page_h / height)


def choose_layout(roots: list[Box], page_ratio: float, orientation: str | None = None) -> Layout:
    """Lay out both ways (unless `orientation` is given) and keep the one drawn larger."""
    candidates = (orientation,) if orientation in ORIENTATIONS else ORIENTATIONS
    best, best_scale = TOP_DOWN, 0.0
    for candidate in candidates:
        assert candidate is not None
        result = layout(roots, candidate)
        scale = _fit(
            max(result.width + 2 * MARGIN, _header_width()),
            result.height + 2 * MARGIN + HEADER_HEIGHT,
            page_ratio,
        )
        if scale > best_scale + 1e-9:
            best, best_scale = candidate, scale
    # Each layout moves the boxes: place them again for the winner.
    return layout(roots, best)


def _legend() -> list[tuple[str, str]]:
    return [
        (COLOURS["center"], _("帮扶中心")),
        (COLOURS["community"], _("社区帮扶站")),
        (COLOURS["enterprise"], _("企业帮扶站")),
        (COLOURS["point"], _("帮扶点")),
    ]


def _header_width() -> float:
    legend = sum(14 + 6 + text_width(label, KIND_SIZE) + 18 for _c, label in _legend())
    return legend + 2 * MARGIN


def _attr(value: Any) -> str:
    return quoteattr(str(value))


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _edges(result: Layout) -> list[str]:
    out = []
    for parent in result.boxes:
        if not parent.children:
            continue
        if result.orientation == TOP_DOWN:
            px, py = parent.x + parent.width / 2, parent.y + parent.height
            mid = min(c.y for c in parent.children) - LEVEL_GAP / 2
            for child in parent.children:
                cx, cy = child.x + child.width / 2, child.y
                d = f"M{_num(px)},{_num(py)} V{_num(mid)} H{_num(cx)} V{_num(cy)}"
                out.append(f'<path d="{d}"/>')
        else:
            px, py = parent.x + parent.width, parent.y + parent.height / 2
            mid = min(c.x for c in parent.children) - LEVEL_GAP / 2
            for child in parent.children:
                cx, cy = child.x, child.y + child.height / 2
                d = f"M{_num(px)},{_num(py)} H{_num(mid)} V{_num(cy)} H{_num(cx)}"
                out.append(f'<path d="{d}"/>')
    return out


def _box_svg(box: Box, link: Callable[[OrgUnit], str] | None) -> str:
    x, y, w, h = box.x, box.y, box.width, box.height
    parts = [
        f'<g class="unit" data-unit-id="{box.unit.pk}">',
        # The full name, also when the drawn one wraps: a tooltip and what screen readers say.
        f"<title>{escape(box.unit.name)}</title>",
        f'<rect x="{_num(x)}" y="{_num(y)}" width="{_num(w)}" height="{_num(h)}" rx="5" '
        f'fill="#ffffff" stroke={_attr(box.colour)} stroke-width="1.5"/>',
        f'<rect x="{_num(x)}" y="{_num(y)}" width="{_num(w)}" height="{_num(box.header_height)}" '
        f'rx="5" fill={_attr(box.colour)}/>',
    ]
    if box.body:
        # Square off the header's lower corners where it meets the body.
        parts.append(
            f'<rect x="{_num(x)}" y="{_num(y + box.header_height - 6)}" width="{_num(w)}" '
            f'height="6" fill={_attr(box.colour)}/>'
        )
    baseline = y + PAD_Y
    for line in box.header:
        baseline += line.size * LINE_GAP
        bold = line.css_class == "n"
        parts.append(
            _text(x + PAD_X, baseline - line.size * 0.3, line.text, line.size, "#ffffff", bold)
        )
    baseline = y + box.header_height + PAD_Y
    step = TEXT_SIZE * LINE_GAP
    for row in box.body:
        if row.heading:
            baseline += step
            parts.append(
                _text(
                    x + PAD_X, baseline - TEXT_SIZE * 0.3, row.heading, TEXT_SIZE, box.colour, True
                )
            )
            continue
        column_x = x + PAD_X
        for i, cell in enumerate(row.cells):
            colour = "#6c757d" if i in (0, 2) else "#212529"
            for n, text in enumerate(cell):
                parts.append(
                    _text(
                        column_x,
                        baseline + step * (n + 1) - TEXT_SIZE * 0.3,
                        text,
                        TEXT_SIZE,
                        colour,
                        False,
                    )
                )
            if box.columns[i] > 0:
                column_x += box.columns[i] + COLUMN_GAP
        baseline += step * row.lines
    parts.append("</g>")
    if link is not None:
        return f"<a href={_attr(link(box.unit))}>{''.join(parts)}</a>"
    return "".join(parts)


def _text(x: float, y: float, text: str, size: float, colour: str, bold: bool) -> str:
    weight = ' font-weight="bold"' if bold else ""
    return (
        f'<text x="{_num(x)}" y="{_num(y)}" font-size="{_num(size)}"{weight} '
        f"fill={_attr(colour)}>{escape(text)}</text>"
    )


def render_svg(
    roots: Sequence[OrgUnit],
    *,
    title: str,
    subtitle: str = "",
    page_ratio: float = 277 / 190,
    orientation: str | None = None,
    link: Callable[[OrgUnit], str] | None = None,
) -> str:
    """Return the map of `roots` (with their `tree_children` and prefetched people) as SVG.

    `page_ratio` is the width/height of the paper the map should fill; `link`, when given,
    makes every box a link to the URL it returns for the unit.
    """
    boxes = build_boxes(roots)
    if boxes:
        result = choose_layout(boxes, page_ratio, orientation)
        drawing_w, drawing_h = result.width, result.height
    else:
        result = Layout([], [], TOP_DOWN, 0.0, 0.0)
        drawing_w = drawing_h = 0.0
    width = max(
        drawing_w + 2 * MARGIN,
        _header_width() + text_width(subtitle, KIND_SIZE),
        text_width(title, TITLE_SIZE) + 2 * MARGIN,
    )
    height = drawing_h + 2 * MARGIN + HEADER_HEIGHT
    # Centre the tree under the header when the header is the wider of the two.
    dx = (width - drawing_w) / 2
    dy = MARGIN + HEADER_HEIGHT

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="bf-network-map" '
        f'viewBox="0 0 {_num(width)} {_num(height)}" width="{_num(width)}" '
        f'height="{_num(height)}" preserveAspectRatio="xMidYMid meet" '
        f'font-family={_attr(FONT_FAMILY)} role="img" aria-label={_attr(title)} '
        f'data-layout="{result.orientation}">',
        f"<title>{escape(title)}</title>",
        f'<rect x="0" y="0" width="{_num(width)}" height="{_num(height)}" fill="#ffffff"/>',
        f'<text x="{_num(width / 2)}" y="{_num(MARGIN + TITLE_SIZE)}" text-anchor="middle" '
        f'font-size="{_num(TITLE_SIZE)}" font-weight="bold" fill="#212529">{escape(title)}</text>',
    ]
    legend_y = MARGIN + TITLE_SIZE + 22
    lx = MARGIN
    for colour, label in _legend():
        out.append(
            f'<rect x="{_num(lx)}" y="{_num(legend_y - 10)}" width="14" height="11" rx="2" '
            f"fill={_attr(colour)}/>"
        )
        out.append(
            f'<text x="{_num(lx + 20)}" y="{_num(legend_y)}" font-size="{_num(KIND_SIZE)}" '
            f'fill="#495057">{escape(label)}</text>'
        )
        lx += 14 + 6 + text_width(label, KIND_SIZE) + 18
    if subtitle:
        out.append(
            f'<text x="{_num(width - MARGIN)}" y="{_num(legend_y)}" text-anchor="end" '
            f'font-size="{_num(KIND_SIZE)}" fill="#495057">{escape(subtitle)}</text>'
        )
    out.append(f'<g transform="translate({_num(dx)},{_num(dy)})">')
    out.append('<g fill="none" stroke="#868e96" stroke-width="1.4">')
    out.extend(_edges(result))
    out.append("</g>")
    out.extend(_box_svg(box, link) for box in result.boxes)
    out.append("</g></svg>")
    return "\n".join(out)
