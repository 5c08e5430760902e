from __future__ import annotations

from django.urls import path, re_path

from . import views

# Mounted at /sandbox/ by mcn_portal/urls.py, only when SANDBOX_ENABLED.
urlpatterns = [
    path("", views.home, name="sandbox_home"),
    path("action/", views.action, name="sandbox_action"),
    path("oauth/authorize", views.oauth_authorize, name="sandbox_authorize"),
    path("oauth/token", views.oauth_token, name="sandbox_token"),
    path("avatar/<str:account_id>.svg", views.avatar, name="sandbox_avatar"),
    re_path(r"^api/(?P<path>.*)$", views.api_call, name="sandbox_api"),
]
