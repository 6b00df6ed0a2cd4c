"""The written answers as A4 PDFs (WeasyPrint, Noto CJK): the reply (处理意见书), the 复查 and
复核 opinions, and the acknowledgement (受理告知书) with the query code."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone

from .codes import normalise_code
from .deadlines import counting_note
from .models import Deadline, Petition, Reply


def _pdf(template: str, context: dict[str, object]) -> bytes:
    from weasyprint import HTML

    html = render_to_string(template, {**context, "printed_on": timezone.localdate()})
    return bytes(HTML(string=html).write_pdf())


def reply_pdf(*, petition: Petition, reply: Reply) -> bytes:
    """Return the written answer: the request and facts as registered, the decision, its basis,
    the coded outcome, and where the petitioner may turn next (复查 / 复核) with the limit."""
    window = None
    if reply.stage == Reply.Stage.REPLY:
        window = petition.deadlines.filter(stage=Deadline.Stage.REVIEW_REQUEST).first()
    elif reply.stage == Reply.Stage.REVIEW:
        window = petition.deadlines.filter(stage=Deadline.Stage.RECHECK_REQUEST).first()
    return _pdf(
        "petitions/pdf/reply.html",
        {
            "petition": petition,
            "reply": reply,
            "window": window,
            "counting": counting_note(window.counting) if window else "",
            "final": reply.stage == Reply.Stage.RECHECK,
        },
    )


def acknowledgement_pdf(*, petition: Petition) -> bytes:
    """Return the acknowledgement: received on, registered as, what happens next and by when,
    and the query code for the public progress page."""
    return _pdf(
        "petitions/pdf/acknowledgement.html",
        {
            "petition": petition,
            "code": normalise_code(petition.query_code),
            "deadlines": list(petition.deadlines.filter(ours=True).order_by("due_on")),
        },
    )
