"""Attachment pages: upload, download or preview (decrypted on the fly), withdraw.

There is no URL for MEDIA_ROOT: files are served only here, after the attachment was fetched
within the user's scope (outside it: 404, like a missing file).
"""

from __future__ import annotations

from urllib.parse import quote

from django.http import HttpResponse
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from bangfu.accounts.requests import AuthenticatedHttpRequest
from bangfu.core.formkit import action_response

from ..forms.browse import AttachmentUploadForm, AttachmentWithdrawForm
from ..models import Attachment
from ..permissions import ArchivesPermission
from ..selectors import browse
from ..services import attachments as service

FILE = ArchivesPermission.FILE


def _detail_url(household_id: int) -> str:
    return reverse("archives:household_detail", args=[household_id]) + "#panel-attachments"


@require_http_methods(["GET", "POST"])
def attachment_upload(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    household = browse.household_detail(user=request.user, household_id=pk, perm=FILE)
    form = AttachmentUploadForm(request.POST or None, request.FILES or None)

    def run() -> Attachment:
        upload = form.cleaned_data["file"]
        return service.attachment_upload(
            user=request.user,
            household=household,
            kind=form.cleaned_data["kind"],
            file=upload,
            name=upload.name,
        )

    return action_response(
        request,
        form=form,
        run=run,
        template="archives/browse/attachment_upload.html",
        context={"household": household, "max_mb": service.max_bytes() // (1024 * 1024)},
        success_url=_detail_url(household.pk),
        done=lambda attachment: (
            _("已上传“%(name)s”(%(kind)s)。")
            % {"name": attachment.original_name, "kind": attachment.get_kind_display()}
        ),
    )


@require_GET
def attachment_download(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Send the decrypted file: `?inline=1` to preview in the browser, else as a download."""
    attachment = browse.access_attachment(user=request.user, attachment_id=pk)
    opened = service.attachment_open(user=request.user, attachment=attachment)
    response = HttpResponse(opened.content, content_type=opened.content_type)
    disposition = "inline" if request.GET.get("inline") else "attachment"
    ascii_name = f"attachment-{attachment.pk}.{opened.filename.rsplit('.', 1)[-1]}"
    response["Content-Disposition"] = (
        f'{disposition}; filename="{ascii_name}"; '
        f"filename*=UTF-8''{quote(opened.filename, safe='')}"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Length"] = str(len(opened.content))
    add_never_cache_headers(response)
    return response


@require_http_methods(["GET", "POST"])
def attachment_withdraw(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    attachment = browse.access_attachment(user=request.user, attachment_id=pk, perm=FILE)
    form = AttachmentWithdrawForm(request.POST or None)
    return action_response(
        request,
        form=form,
        run=lambda: service.attachment_withdraw(
            user=request.user, attachment=attachment, reason=form.cleaned_data["reason"]
        ),
        template="archives/browse/attachment_withdraw.html",
        context={"attachment": attachment, "household": attachment.household},
        success_url=_detail_url(attachment.household_id),
        done=_("已撤回附件“%(name)s”。") % {"name": attachment.original_name},
    )
