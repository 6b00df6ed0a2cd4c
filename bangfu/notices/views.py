"""Pages of public notices (placeholder until the pages land)."""

from django.http import Http404, HttpRequest, HttpResponse


def _todo(request: HttpRequest, pk: int = 0) -> HttpResponse:
    raise Http404


notice_list = notice_detail = notice_print = notice_publish = notice_withdraw = _todo
objection_record = objection_settle = _todo
