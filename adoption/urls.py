from django.urls import path

from . import views

urlpatterns = [
    path("staff/", views.staff_home, name="staff_home"),
    path("staff/creators/add/", views.creator_add, name="adoption_creator_add"),
    path("staff/creators/<int:pk>/", views.creator_detail, name="adoption_creator_detail"),
    path(
        "staff/creators/<int:pk>/approve/", views.creator_approve, name="adoption_creator_approve"
    ),
    path("staff/creators/<int:pk>/reject/", views.creator_reject, name="adoption_creator_reject"),
    path("staff/creators/<int:pk>/verify/", views.creator_verify, name="adoption_creator_verify"),
    path("staff/bulk/", views.bulk_start, name="adoption_bulk_start"),
    path("staff/bulk/<int:pk>/", views.bulk_detail, name="adoption_bulk_detail"),
    path("staff/bulk/<int:pk>.json", views.bulk_status, name="adoption_bulk_status"),
    path("staff/drift/", views.drift_list, name="adoption_drift"),
    path("staff/drift/check/", views.drift_check, name="adoption_drift_check"),
    path("staff/drift/<int:pk>/fix/", views.drift_fix, name="adoption_drift_fix"),
    path("staff/audit/", views.audit_list, name="adoption_audit"),
    path("staff/parent/connect/", views.parent_connect, name="adoption_parent_connect"),
    path("staff/parent/password/", views.parent_password, name="adoption_parent_password"),
    path("staff/parent/check/", views.parent_check, name="adoption_parent_check"),
]
