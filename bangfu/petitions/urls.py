"""Pages of petitions, under /petitions/. Each name is declared in `permissions.URL_PERMISSIONS`."""

from django.urls import path

from .views import browse, handling, public, reports

app_name = "petitions"

urlpatterns = [
    path("", browse.petition_list, name="petition_list"),
    path("new/", handling.petition_register_view, name="petition_register"),
    path("<int:pk>/", browse.petition_detail, name="petition_detail"),
    path("<int:pk>/accept/", handling.petition_accept, name="petition_accept"),
    path("<int:pk>/decline/", handling.petition_decline, name="petition_decline"),
    path("<int:pk>/transfer/", handling.petition_transfer, name="petition_transfer"),
    path("<int:pk>/refer/", handling.petition_refer, name="petition_refer"),
    path("<int:pk>/acknowledge/", handling.petition_acknowledge, name="petition_acknowledge"),
    path("<int:pk>/extend/", handling.petition_extend, name="petition_extend"),
    path("<int:pk>/reply/", handling.petition_reply, name="petition_reply"),
    path(
        "<int:pk>/review-request/",
        handling.petition_review_request,
        name="petition_review_request",
    ),
    path("<int:pk>/review-reply/", handling.petition_review_reply, name="petition_review_reply"),
    path(
        "<int:pk>/recheck-request/",
        handling.petition_recheck_request,
        name="petition_recheck_request",
    ),
    path("<int:pk>/recheck-reply/", handling.petition_recheck_reply, name="petition_recheck_reply"),
    path("<int:pk>/rate/", handling.petition_rate, name="petition_rate"),
    path("<int:pk>/receipt.pdf", browse.acknowledgement_pdf_view, name="acknowledgement_pdf"),
    path(
        "<int:pk>/<str:stage>.pdf",
        browse.reply_pdf_view,
        name="reply_pdf",
    ),
    path("<int:pk>/material/", handling.attachment_upload, name="attachment_upload"),
    path("material/<int:pk>/", browse.attachment_download, name="attachment_download"),
    path("material/<int:pk>/withdraw/", handling.attachment_withdraw, name="attachment_withdraw"),
    path("report/", reports.report, name="report"),
    path("report.xlsx", reports.report_xlsx, name="report_xlsx"),
    path("public/new/", public.public_submit, name="public_submit"),
    path("public/track/", public.public_track, name="public_track"),
]
