from django.urls import path
from django.views.i18n import set_language

from .views import audit, calendar, jobs, session, worklist

app_name = "workbench"

urlpatterns = [
    path("", worklist.home, name="home"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("worklist/", worklist.worklist, name="worklist"),
    path("session/keepalive/", session.session_keepalive, name="session_keepalive"),
    path("audit/", audit.audit_list, name="audit_list"),
    path("audit/verify/", audit.audit_verify, name="audit_verify"),
    path("audit/<int:seq>/", audit.audit_detail, name="audit_detail"),
    path("access-log/", audit.access_log, name="access_log"),
    path("jobs/<uuid:job_id>/", jobs.job_detail, name="job_detail"),
    path("jobs/<uuid:job_id>/progress/", jobs.job_progress, name="job_progress"),
    path("calendar/", calendar.calendar, name="calendar"),
    path("calendar/days/new/", calendar.calendar_day_create, name="calendar_day_create"),
    path("calendar/ranges/new/", calendar.calendar_range_create, name="calendar_range_create"),
    path(
        "calendar/days/<str:day>/delete/",
        calendar.calendar_day_delete,
        name="calendar_day_delete",
    ),
    path("calendar/<int:year>/confirm/", calendar.calendar_year_confirm, name="calendar_confirm"),
    path("calendar/<int:year>/prefill/", calendar.calendar_year_prefill, name="calendar_prefill"),
    path(
        "calendar/confirmations/<int:pk>/",
        calendar.calendar_confirmation,
        name="calendar_confirmation",
    ),
]
