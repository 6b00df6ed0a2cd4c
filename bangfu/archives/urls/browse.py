"""Browsing archives: list and search, the detail page, reveal, attachments, the 档案表 PDF."""

from django.urls import path

from ..views import attachments, browse

urlpatterns = [
    path("", browse.household_list, name="household_list"),
    path("<int:pk>/", browse.household_detail, name="household_detail"),
    path("<int:pk>/history/", browse.household_history, name="household_history"),
    path("<int:pk>/reveal/", browse.household_reveal, name="household_reveal"),
    path("<int:pk>/pdf/", browse.household_pdf, name="household_pdf"),
    path("<int:pk>/pdf/full/", browse.household_pdf_full, name="household_pdf_full"),
    path("<int:pk>/attachments/upload/", attachments.attachment_upload, name="attachment_upload"),
    path("attachments/<int:pk>/", attachments.attachment_download, name="attachment_download"),
    path(
        "attachments/<int:pk>/withdraw/",
        attachments.attachment_withdraw,
        name="attachment_withdraw",
    ),
]
