"""The archives' stored deadlines: the home visit due (入户调查期限) of an application, kept by
the workflow kit (`workflow.Visit`) and recounted when a year's holidays are confirmed
(`core.deadlines`) while the visit is still to be made. (Approvals are due a number of working
days after submission, but that date is counted when the worklist is shown, never stored: it
follows the calendar by itself.)
"""

from __future__ import annotations

from django.utils.translation import gettext, gettext_lazy

from bangfu.core import deadlines
from bangfu.kits.workflow.deadlines import VisitDeadlines

from .services.procedure import FILING

deadlines.register(
    VisitDeadlines(
        FILING,
        key="archives.investigation.due_on",
        label=gettext_lazy("入户调查期限"),
        # The archive's number only: the list is read by the calendar's administrators.
        describe=lambda case: gettext("档案 %(no)s 的入户调查") % {"no": case.reference},
    )
)
