from django.urls import path

from . import views

urlpatterns = [
    path("staff/revenues/", views.report, name="revenues_report"),
    path("staff/revenues.csv", views.report_csv, name="revenues_report_csv"),
    path(
        "staff/revenues/creators/<int:creator_id>/", views.creator_detail, name="revenues_creator"
    ),
    path(
        "staff/revenues/creators/<int:creator_id>/share/",
        views.share_set,
        name="revenues_share_set",
    ),
    path(
        "staff/revenues/creators/<int:creator_id>/statements/<int:year>-<int:month>.csv",
        views.creator_statement_csv,
        name="revenues_creator_statement_csv",
    ),
    path("staff/revenues/polls/", views.polls, name="revenues_polls"),
    path("staff/revenues/polls/start/", views.poll_start, name="revenues_poll_start"),
    path(
        "staff/revenues/polls/<int:run_id>/progress.json",
        views.poll_progress,
        name="revenues_poll_progress",
    ),
    path("me/revenues.csv", views.my_history_csv, name="revenues_my_csv"),
    path(
        "me/revenues/<int:year>-<int:month>.csv",
        views.my_statement_csv,
        name="revenues_my_statement_csv",
    ),
]
