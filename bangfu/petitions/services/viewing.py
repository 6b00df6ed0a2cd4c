"""Views of restricted petitions are written to the access log: every page, PDF and API answer
that shows one in full calls `petition_viewed` first."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from bangfu.core.access import access_log_record

from ..models import Petition


def petition_viewed(*, user: Any, petition: Petition, what: str) -> None:
    """Log that `user` saw the restricted petition (`what`: the page, the reply PDF, the API);
    do nothing for a petition that is not restricted."""
    if not petition.restricted:
        return
    with transaction.atomic():
        access_log_record(
            user=user,
            obj=petition,
            fields=["restricted"],
            purpose=_("查看保密信访件:%(what)s") % {"what": what},
        )
