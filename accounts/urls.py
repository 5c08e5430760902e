from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

urlpatterns = [
    path(
        "staff/login/",
        auth_views.LoginView.as_view(template_name="accounts/staff_login.html"),
        name="staff_login",
    ),
    path("staff/logout/", auth_views.LogoutView.as_view(), name="staff_logout"),
    path("connect/dailymotion/", views.connect_start, name="connect_start"),
    path("connect/dailymotion/callback/", views.connect_callback, name="connect_callback"),
    path("me/", views.creator_home, name="creator_home"),
]
