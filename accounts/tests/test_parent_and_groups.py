from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from accounts.models import DailymotionCredential
from accounts.services import PARENT, SESSION_KEY
from adoption.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_the_reviewer_group_may_view_and_decide_but_not_see_money():
    codenames = set(
        Group.objects.get(name="Reviewer").permissions.values_list("codename", flat=True)
    )
    assert codenames == {"view_creator", "decide_creator"}


def test_the_manager_group_has_everything_including_other_apps():
    manager = Group.objects.get(name="Manager")
    codenames = set(manager.permissions.values_list("codename", flat=True))
    assert {"view_creator", "decide_creator", "see_money", "view_auditevent"} <= codenames
    apps = set(manager.permissions.values_list("content_type__app_label", flat=True))
    assert {"accounts", "adoption", "revenues"} <= apps


def test_staff_home_shows_the_parent_account_and_its_role(client, staff_user, parent_credential):
    client.force_login(staff_user)
    body = client.get("/staff/").content.decode()
    assert "mcn-network" in body
    assert "can-adopt-users" in body
    assert "does not match" not in body


def test_staff_home_warns_when_the_role_is_missing_or_the_id_differs(
    client, staff_user, parent_credential, settings
):
    settings.DAILYMOTION_PARENT_ID = "x0other"
    DailymotionCredential.objects.filter(pk=parent_credential.pk).update(roles="")
    client.force_login(staff_user)
    body = client.get("/staff/").content.decode()
    assert "no can-adopt-users role" in body
    assert "DAILYMOTION_PARENT_ID is x0other" in body


def test_staff_home_says_when_no_parent_is_connected(client, staff_user, settings):
    settings.DAILYMOTION_PARENT_USERNAME = ""
    client.force_login(staff_user)
    body = client.get("/staff/").content.decode()
    assert "No parent account is connected" in body
    assert "Connect parent account" in body


def test_staff_connect_the_parent_through_the_oauth_flow(client, staff_user, dailymotion):
    client.force_login(staff_user)
    response = client.get("/staff/parent/connect/")
    assert response.status_code == 302
    stored = client.session[SESSION_KEY]
    assert stored["purpose"] == PARENT
    response = client.get(
        "/connect/dailymotion/callback/", {"code": "code-x0mcn01", "state": stored["state"]}
    )
    assert response.status_code == 302
    assert response["Location"] == "/staff/"
    credential = DailymotionCredential.objects.get(kind="parent")
    assert (credential.dailymotion_id, credential.roles) == ("x0mcn01", "can-adopt-users")
    assert credential.access_token == "token-x0mcn01"
    assert AuditEvent.objects.filter(action=AuditEvent.Action.PARENT_CONNECTED).exists()
    # the staff member stays signed in as themselves
    assert client.get("/staff/").status_code == 200


def test_a_parent_callback_is_refused_to_a_non_staff_session(client, dailymotion):
    session = client.session
    session[SESSION_KEY] = {"state": "s", "purpose": PARENT}
    session.save()
    response = client.get("/connect/dailymotion/callback/", {"code": "code-x0mcn01", "state": "s"})
    assert response.status_code == 403
    assert not DailymotionCredential.objects.exists()


def test_staff_connect_the_parent_with_the_configured_password(
    client, staff_user, dailymotion, monkeypatch, settings
):
    settings.DAILYMOTION_PARENT_USERNAME = "mcn-network"
    settings.DAILYMOTION_PARENT_PASSWORD = "pass-mcn-network"
    monkeypatch.setattr("accounts.tokens.DailymotionOAuth", dailymotion.oauth_class())
    monkeypatch.setattr("accounts.tokens.DailymotionClient", dailymotion.client_class())
    client.force_login(staff_user)
    response = client.post("/staff/parent/password/", follow=True)
    assert b"Parent account mcn-network connected" in response.content
    credential = DailymotionCredential.objects.get(kind="parent")
    assert credential.dailymotion_id == "x0mcn01"
    # the password was used once and is stored nowhere
    assert "pass-mcn-network" not in str(list(DailymotionCredential.objects.values()))


def test_a_wrong_parent_password_is_reported_not_stored(
    client, staff_user, dailymotion, monkeypatch, settings
):
    settings.DAILYMOTION_PARENT_USERNAME = "mcn-network"
    settings.DAILYMOTION_PARENT_PASSWORD = "wrong"
    monkeypatch.setattr("accounts.tokens.DailymotionOAuth", dailymotion.oauth_class())
    client.force_login(staff_user)
    response = client.post("/staff/parent/password/", follow=True)
    assert b"Invalid credentials" in response.content
    assert not DailymotionCredential.objects.exists()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.PARENT_FAILED).exists()


def test_staff_can_check_the_parent_roles_again(client, staff_user, dailymotion, parent_credential):
    DailymotionCredential.objects.filter(pk=parent_credential.pk).update(roles="")
    client.force_login(staff_user)
    client.post("/staff/parent/check/")
    parent_credential.refresh_from_db()
    assert parent_credential.roles == "can-adopt-users"


def test_staff_add_an_account_by_password_which_is_never_stored(client, staff_user, dailymotion):
    dailymotion.account("x8own", "owned")
    client.force_login(staff_user)
    response = client.post(
        "/staff/creators/add/", {"username": "owned", "password": "pass-owned"}, follow=True
    )
    assert response.status_code == 200
    credential = DailymotionCredential.objects.get(dailymotion_id="x8own")
    assert credential.creator.status == "pending"
    assert "pass-owned" not in str(list(DailymotionCredential.objects.values()))
    assert AuditEvent.objects.get(creator=credential.creator).action == AuditEvent.Action.ADDED
    assert AuditEvent.objects.get(creator=credential.creator).actor == staff_user


def test_a_refused_password_is_shown_on_the_form(client, staff_user, dailymotion):
    client.force_login(staff_user)
    response = client.post("/staff/creators/add/", {"username": "who", "password": "nope"})
    assert response.status_code == 200
    assert b"Invalid credentials" in response.content
    assert b"nope" not in response.content
