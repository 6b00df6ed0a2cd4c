"""Attachment pages: upload, download or preview (decrypted on the fly), withdraw.

There is no URL for MEDIA_ROOT: files are served only here, after the attachment was fetched
within the user's scope (outside it: 404, like a missing file).
"""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from bangfu.core.errors import Conflict, DomainError, NotFound, ValidationError
from bangfu.core.formkit import apply_domain_error
from bangfu.core.shortcuts import found

from ..forms.browse import AttachmentUploadForm, AttachmentWithdrawForm
from ..permissions import ArchivesPermission
from ..selectors import browse
from ..services import attachments as service

FILE = ArchivesPermission.FILE


def _detail_url(household_id: int) -> str:
    return reverse("archives:household_detail", args=[household_id]) + "#panel-attachments"


@require_http_methods(["GET", "POST"])
def attachment_upload(request: HttpRequest, pk: int) -> HttpResponse:
    household = found(
        lambda: browse.household_detail(user=request.user, household_id=pk, perm=FILE)
    )
    form = AttachmentUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            attachment = service.attachment_upload(
                user=request.user,
                household=household,
                kind=form.cleaned_data["kind"],
                file=upload,
                name=upload.name,
            )
        except NotFound:
            raise Http404 from None
        except ValidationError as exc:
            apply_domain_error(form, exc)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _("已上传“%(name)s”(%(kind)s)。")
                % {"name": attachment.original_name, "kind": attachment.get_kind_display()},
            )
            return redirect(_detail_url(household.pk))
    return render(
        request,
        "archives/browse/attachment_upload.html",
        {
            "household": household,
            "form": form,
            "max_mb": service.max_bytes() // (1024 * 1024),
        },
        status=400 if request.method == "POST" else 200,
    )


@require_GET
def attachment_download(request: HttpRequest, pk: int) -> HttpResponse:
    """Send the decrypted file: `?inline=1` to preview in the browser, else as a download."""
    attachment = found(lambda: browse.access_attachment(user=request.user, attachment_id=pk))
    try:
        opened = service.attachment_open(user=request.user, attachment=attachment)
    except NotFound:
        raise Http404 from None
    except Conflict as exc:
        return render(request, "403.html", {"reason": exc.message}, status=409)
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
def attachment_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    attachment = found(
        lambda: browse.access_attachment(user=request.user, attachment_id=pk, perm=FILE)
    )
    form = AttachmentWithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            service.attachment_withdraw(
                user=request.user, attachment=attachment, reason=form.cleaned_data["reason"]
            )
        except NotFound:
            raise Http404 from None
        except ValidationError as exc:
            apply_domain_error(form, exc)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request, _("已撤回附件“%(name)s”。") % {"name": attachment.original_name}
            )
            return redirect(_detail_url(attachment.household_id))
    return render(
        request,
        "archives/browse/attachment_withdraw.html",
        {"attachment": attachment, "household": attachment.household, "form": form},
        status=400 if request.method == "POST" else 200,
    )
