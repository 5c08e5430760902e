from __future__ import annotations

import pytest


@pytest.mark.smoke
@pytest.mark.django_db
def test_the_landing_page_offers_to_connect_dailymotion(client):
    response = client.get("/")
    assert response.status_code == 200
    assert b"Connect Dailymotion" in response.content
    assert b'href="/connect/dailymotion/"' in response.content


@pytest.mark.smoke
@pytest.mark.django_db
def test_the_staff_login_page_is_a_django_login_form(client):
    response = client.get("/staff/login/")
    assert response.status_code == 200
    assert b'name="username"' in response.content
    assert b'name="password"' in response.content


@pytest.mark.smoke
@pytest.mark.django_db
def test_staff_home_sends_anonymous_users_to_the_login(client):
    response = client.get("/staff/")
    assert response.status_code == 302
    assert response["Location"].startswith("/staff/login/")


@pytest.mark.django_db
def test_staff_home_refuses_signed_in_non_staff(client, outsider):
    client.force_login(outsider)
    assert client.get("/staff/").status_code == 403


@pytest.mark.django_db
def test_staff_home_refuses_creators(client, pending_creator):
    client.force_login(pending_creator.user)
    assert client.get("/staff/").status_code == 403


@pytest.mark.django_db
def test_staff_can_sign_in_and_see_the_staff_home(client, staff_user):
    response = client.post("/staff/login/", {"username": "manager", "password": "manager-pass"})
    assert response.status_code == 302
    assert client.get("/staff/").status_code == 200


@pytest.mark.django_db
def test_static_files_are_served_without_any_cdn(client):
    page = client.get("/").content.decode()
    assert "https://" not in page.split("<body")[0]
    assert "/static/css/portal.css" in page
