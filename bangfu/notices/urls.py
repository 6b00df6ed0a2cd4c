from django.urls import path

from . import views

app_name = "notices"

urlpatterns = [
    path("", views.notice_list, name="notice_list"),
    path("<int:pk>/", views.notice_detail, name="notice_detail"),
    path("<int:pk>/print/", views.notice_print, name="notice_print"),
    path("public/<int:pk>/", views.notice_public, name="notice_public"),
    path("<int:pk>/publish/", views.notice_publish, name="notice_publish"),
    path("<int:pk>/withdraw/", views.notice_withdraw, name="notice_withdraw"),
    path("<int:pk>/objections/new/", views.objection_record, name="objection_record"),
    path("objections/<int:pk>/settle/", views.objection_settle, name="objection_settle"),
]
