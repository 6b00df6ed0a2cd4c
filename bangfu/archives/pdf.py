"""The national 困难职工档案表 of one household as an A4 PDF a person signs (WeasyPrint)."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone

from bangfu.core.masking import mask_id_number

from .models import Determination, Household, HouseholdMember
from .selectors.browse import (
    Revealed,
    household_opinions,
    household_sections,
)


def member_rows(members: list[HouseholdMember], revealed: Revealed | None) -> list[dict[str, Any]]:
    """Return the members as the form's table rows, IDs masked unless revealed."""
    full = (revealed.member_ids or {}) if revealed else {}
    return [
        {
            "member": m,
            "id_number": full.get(m.pk) or mask_id_number(m.id_number),
        }
        for m in members
    ]


def household_pdf(
    *,
    household: Household,
    members: list[HouseholdMember],
    determination: Determination | None,
    revealed: Revealed | None = None,
) -> bytes:
    """Return the 档案表 as PDF bytes: every field, the members, causes, category with its
    reason, the opinions of each union level, and signature lines. IDs are masked unless
    `revealed` holds their full values (the caller has logged that reveal)."""
    from weasyprint import HTML

    html = render_to_string(
        "archives/browse/household_pdf.html",
        {
            "household": household,
            "sections": household_sections(
                household, members=members, determination=determination, revealed=revealed
            ),
            "members": member_rows(members, revealed),
            "opinions": household_opinions(household),
            "full": revealed is not None,
            "printed_on": timezone.localdate(),
        },
    )
    return bytes(HTML(string=html).write_pdf())
