"""Open redirects and forged OAuth states: `next` never leaves the site, `state` is one-use.

A hostile `next` is tried on /connect/dailymotion/ (kept in the session and followed after the
callback) and on /staff/login/; the oracle resolves the Location the way a browser does (tabs and
newlines dropped, backslashes read as slashes) and requires it to stay on our host. Forged,
missing, replayed and other-session states on the callback get the clear 400 page and store
nothing; the redirect_uri we send Dailymotion is always PUBLIC_BASE_URL's callback.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, quote, urljoin, urlsplit

import pytest
from django.contrib.auth import get_user
from django.contrib.auth.models import User
from django.test import Client
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from accounts.models import Creator, DailymotionCredential
from accounts.services import SESSION_KEY
from accounts.tests.fakes import FakeDailymotion
from adoption.models import AuditEvent
from conftest import make_creator
from ingestion.models import Video

from .conftest import examples

pytestmark = pytest.mark.django_db

HOST = "testserver"
EXAMPLES = examples(150)  # HOSTILE_SCALE=10 for a hunt
EXPIRED = b"expired or was already used"

HOSTILE = [
    "http://evil.example",
    "https://evil.example/me/",
    "HTTPS://EVIL.EXAMPLE",
    "//evil.example",
    "///evil.example",
    "////evil.example/x",
    "/\\evil.example",
    "\\\\evil.example",
    "\\/evil.example",
    "/\\/evil.example",
    "https:evil.example",
    "https:/evil.example",
    "http:\\\\evil.example",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(document.cookie)",
    " javascript:alert(1)",
    "\x01javascript:alert(1)",
    "java\tscript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "ftp://evil.example/",
    "\t//evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "\r\n//evil.example",
    "/%0d%0aLocation:%20http://evil.example",
    "/\r\nLocation: http://evil.example",
    " //evil.example",
    "\x00//evil.example",
    "http://testserver@evil.example/",
    "http://evil.example#@testserver/",
    "http://evil.example\\@testserver/",
    "http://evil.example?@testserver/",
    "https://testserver.evil.example/",
    "http://testserver:80@evil.example",
    "//evil.example%2F@testserver",
    "//evil\u3002example",
    "//evil.example\u2044",
    "http://[::ffff:7f00:1]:80@evil.example",
    "%2F%2Fevil.example",
    "%2f%5cevil.example",
    "%5C%5Cevil.example",
    "%252F%252Fevil.example",
    "/%2F/evil.example",
    "http%3A%2F%2Fevil.example",
    "&#47;&#47;evil.example",
    "\u2215\u2215evil.example",
    "\uff0f\uff0fevil.example",
]

# Text a browser would still read: no surrogates (they cannot be encoded into a query at all).
_text = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=40)
_prefix = st.sampled_from(HOSTILE)
NEXT_VALUES = st.one_of(
    _prefix,
    st.builds(lambda p, t: p + t, _prefix, _text),
    st.builds(lambda t, p: t + p, _text, _prefix),
    st.builds(lambda p, t: quote(p + t, safe=""), _prefix, _text),
    st.builds(lambda p, t: p.replace("/", "\\") + t, _prefix, _text),
    _text,
)


def browser_target(location: str, base: str) -> tuple[str, str]:
    """(scheme, host) a browser would go to: it drops tabs/newlines and reads \\ as /."""
    cleaned = re.sub(r"[\t\r\n]", "", location).strip("\x00\x01\x02\x03 \x0b\x0c\x1f")
    cleaned = cleaned.replace("\\", "/")
    url = urlsplit(urljoin(base, cleaned))
    return url.scheme.lower(), url.netloc.lower()


def assert_stays_on_site(response, base: str = f"http://{HOST}/") -> None:
    assert response.status_code == 302, response.status_code
    location = response["Location"]
    assert "\r" not in location and "\n" not in location, location
    assert browser_target(location, base) in {("http", HOST), ("https", HOST)}, location


def counts() -> tuple[int, ...]:
    return (
        Creator.objects.count(),
        DailymotionCredential.objects.count(),
        User.objects.count(),
        AuditEvent.objects.count(),
    )


@pytest.fixture
def world(monkeypatch, settings) -> FakeDailymotion:
    """An in-memory Dailymotion behind the connect flow; it logs every exchange."""
    settings.DAILYMOTION_PARENT_ID = "x0mcn01"
    fake = FakeDailymotion()
    fake.account("x0mcn01", "mcn-network")
    fake.account("x7new", "newbie")
    monkeypatch.setattr("accounts.services.DailymotionOAuth", fake.oauth_class())
    monkeypatch.setattr("accounts.services.DailymotionClient", fake.client_class())
    return fake


def start(client: Client, **query) -> str:
    response = client.get("/connect/dailymotion/", query)
    assert response.status_code == 302
    return client.session[SESSION_KEY]["state"]


def connect_with_next(client: Client, next_url: str):
    """A whole connect with ?next=…; returns the callback's response."""
    state = start(client, next=next_url)
    return client.get("/connect/dailymotion/callback/", {"code": "code-x7new", "state": state})


# --- next on /connect/dailymotion/ --------------------------------------------------------------
@pytest.mark.parametrize("next_url", HOSTILE)
def test_a_hostile_next_never_leads_off_site_after_connecting(client, world, next_url):
    response = connect_with_next(client, next_url)
    assert_stays_on_site(response)
    assert get_user(client).is_authenticated


def test_a_local_next_is_followed_so_the_oracle_can_pass(client, world):
    response = connect_with_next(client, "/me/videos/?page=2")
    assert response["Location"] == "/me/videos/?page=2"


@hsettings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(next_url=NEXT_VALUES)
def test_no_generated_next_leads_off_site_after_connecting(client, world, next_url):
    client.logout()
    assert_stays_on_site(connect_with_next(client, next_url))


def test_the_next_is_not_kept_when_it_is_hostile(client, world):
    start(client, next="//evil.example")
    assert "next" not in client.session[SESSION_KEY]


# --- next on /staff/login/ ----------------------------------------------------------------------
@pytest.fixture
def login_staff(settings, db) -> User:
    # A fast hasher: the login is repeated for every generated `next`.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return User.objects.create_user("door", password="door-pass", is_staff=True)


def login(client: Client, next_url: str):
    return client.post(
        "/staff/login/", {"username": "door", "password": "door-pass", "next": next_url}
    )


@pytest.mark.parametrize("next_url", HOSTILE)
def test_a_hostile_next_never_leads_off_site_after_staff_login(client, login_staff, next_url):
    page = client.get("/staff/login/", {"next": next_url})
    assert page.status_code == 200
    response = login(client, next_url)
    assert_stays_on_site(response)


def test_a_local_next_is_followed_after_staff_login(client, login_staff):
    assert login(client, "/staff/audit/?page=2")["Location"] == "/staff/audit/?page=2"


@hsettings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(next_url=NEXT_VALUES)
def test_no_generated_next_leads_off_site_after_staff_login(client, login_staff, next_url):
    assert_stays_on_site(login(client, next_url))
    client.logout()


def test_a_hostile_next_in_the_query_of_the_login_post_is_ignored_too(client, login_staff):
    response = client.post(
        "/staff/login/?next=//evil.example",
        {"username": "door", "password": "door-pass"},
    )
    assert_stays_on_site(response)


BACK_VALUES = [*HOSTILE, "0", "staff_home", "creator_home", "admin:index", ":", "\u00e9vil"]


@pytest.mark.parametrize("next_url", BACK_VALUES)
def test_staff_form_back_links_never_lead_off_site(client, staff_user, next_url):
    """The `next` of staff forms (adoption's and ingestion's _back) obeys the same rule."""
    client.force_login(staff_user)
    creator = make_creator("x4back", "back-betty")
    response = client.post(
        f"/staff/creators/{creator.pk}/reject/", {"reason": "spam", "next": next_url}
    )
    assert_stays_on_site(response)
    video = Video.objects.create(
        creator=creator, uid="v", title="t", video_url="https://cdn.example/v.mp4", channel="news"
    )
    Video.objects.filter(pk=video.pk).update(state=Video.State.FAILED)
    assert_stays_on_site(client.post(f"/staff/videos/{video.pk}/requeue/", {"next": next_url}))


@pytest.mark.parametrize("next_url", HOSTILE)
def test_a_hostile_next_never_leads_off_site_after_logout(client, login_staff, next_url):
    client.force_login(login_staff)
    assert_stays_on_site(client.post("/staff/logout/", {"next": next_url}))
    assert not get_user(client).is_authenticated


# --- redirect_uri -------------------------------------------------------------------------------
def _authorize_params(response) -> dict[str, str]:
    assert response.status_code == 302
    return {k: v[0] for k, v in parse_qs(urlsplit(response["Location"]).query).items()}


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_HOST": "evil.example"},
        {"HTTP_HOST": "evil.example:8443", "HTTP_X_FORWARDED_HOST": "evil.example"},
        {"HTTP_X_FORWARDED_HOST": "evil.example", "HTTP_X_FORWARDED_PROTO": "http"},
        {"HTTP_FORWARDED": "host=evil.example;proto=http"},
    ],
)
def test_the_redirect_uri_is_always_our_configured_callback(client, settings, headers):
    settings.ALLOWED_HOSTS = ["*"]
    settings.PUBLIC_BASE_URL = "https://portal.example"
    settings.DAILYMOTION_AUTHORIZE_URL = "https://www.dailymotion.com/oauth/authorize"
    query = {"redirect_uri": "https://evil.example/steal", "next": "https://evil.example/"}
    for path in ("/connect/dailymotion/", "/connect/dailymotion/?redirect_uri=//evil.example"):
        params = _authorize_params(client.get(path, query, **headers))
        assert params["redirect_uri"] == "https://portal.example/connect/dailymotion/callback/"
        location = client.get(path, query, **headers)["Location"]
        assert location.startswith("https://www.dailymotion.com/oauth/authorize?")


def test_the_parent_connect_sends_our_redirect_uri_too(client, settings, staff_user):
    settings.ALLOWED_HOSTS = ["*"]
    settings.PUBLIC_BASE_URL = "https://portal.example"
    client.force_login(staff_user)
    params = _authorize_params(
        client.get(
            "/staff/parent/connect/",
            {"redirect_uri": "https://evil.example/"},
            HTTP_HOST="evil.example",
        )
    )
    assert params["redirect_uri"] == "https://portal.example/connect/dailymotion/callback/"


def test_the_code_exchange_sends_our_redirect_uri_whatever_the_callback_query(
    client, world, settings
):
    settings.ALLOWED_HOSTS = ["*"]
    settings.PUBLIC_BASE_URL = "https://portal.example"
    state = start(client)
    response = client.get(
        "/connect/dailymotion/callback/",
        {"code": "code-x7new", "state": state, "redirect_uri": "https://evil.example/"},
        HTTP_HOST="evil.example",
    )
    assert response.status_code == 302
    exchanges = [call for call in world.calls if call[0] == "exchange"]
    assert exchanges == [
        ("exchange", "code-x7new", "https://portal.example/connect/dailymotion/callback/")
    ]


# --- state --------------------------------------------------------------------------------------
def assert_refused(response, before) -> None:
    assert response.status_code == 400
    assert b"Nothing was stored" in response.content
    assert counts() == before


@pytest.mark.parametrize(
    "query",
    [
        {"code": "code-x7new", "state": "forged"},
        {"code": "code-x7new"},
        {"code": "code-x7new", "state": ""},
        {"code": "code-x7new", "state": " "},
        {"code": "code-x7new", "state": "\x00"},
        {"code": "code-x7new", "state": "A" * 5000},
    ],
)
def test_a_forged_or_missing_state_is_refused_and_nothing_stored(client, world, query):
    real = start(client)
    before = counts()
    response = client.get("/connect/dailymotion/callback/", query)
    assert_refused(response, before)
    assert EXPIRED in response.content
    assert not [call for call in world.calls if call[0] == "exchange"]
    assert not get_user(client).is_authenticated
    # The real state was spent by the failed attempt: a forged try ends the connect.
    response = client.get("/connect/dailymotion/callback/", {"code": "code-x7new", "state": real})
    assert_refused(response, before)


def test_a_near_miss_of_the_real_state_is_refused(client, world):
    before = counts()
    for near_miss in (str.upper, lambda s: s[:-1], lambda s: s + "x", lambda s: f" {s}"):
        real = start(client)
        response = client.get(
            "/connect/dailymotion/callback/", {"code": "code-x7new", "state": near_miss(real)}
        )
        assert_refused(response, before)


@hsettings(
    max_examples=max(EXAMPLES // 2, 30),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(forged=st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=80))
def test_no_generated_state_is_accepted(client, world, forged):
    start(client)
    before = counts()
    response = client.get("/connect/dailymotion/callback/", {"code": "code-x7new", "state": forged})
    assert_refused(response, before)


def test_a_replayed_state_is_refused(client, world):
    state = start(client)
    query = {"code": "code-x7new", "state": state}
    assert client.get("/connect/dailymotion/callback/", query).status_code == 302
    before = counts()
    assert_refused(client.get("/connect/dailymotion/callback/", query), before)
    client.logout()
    assert_refused(client.get("/connect/dailymotion/callback/", query), before)


def test_a_state_from_another_session_is_refused(world):
    victim, attacker = Client(), Client()
    attacker_state = start(attacker)
    start(victim)
    before = counts()
    response = victim.get(
        "/connect/dailymotion/callback/", {"code": "code-x7new", "state": attacker_state}
    )
    assert_refused(response, before)
    assert not get_user(victim).is_authenticated
    # Without any connect started in the victim's browser, too.
    fresh = Client()
    assert_refused(
        fresh.get(
            "/connect/dailymotion/callback/", {"code": "code-x7new", "state": attacker_state}
        ),
        before,
    )
    # The attacker's own state still works in the attacker's session: the check is the session.
    ok = attacker.get(
        "/connect/dailymotion/callback/", {"code": "code-x7new", "state": attacker_state}
    )
    assert ok.status_code == 302


def test_a_forged_state_on_the_parent_connect_is_refused(client, world, staff_user):
    client.force_login(staff_user)
    client.get("/staff/parent/connect/")
    before = counts()
    response = client.get(
        "/connect/dailymotion/callback/", {"code": "code-x0mcn01", "state": "forged"}
    )
    assert_refused(response, before)
    assert not DailymotionCredential.objects.filter(kind="parent").exists()


def test_a_parent_state_does_not_connect_the_parent_for_someone_who_is_not_staff(
    client, world, pending_creator
):
    client.force_login(pending_creator.user)
    session = client.session
    session[SESSION_KEY] = {"state": "parent-state", "purpose": "parent"}
    session.save()
    before = counts()
    response = client.get(
        "/connect/dailymotion/callback/", {"code": "code-x0mcn01", "state": "parent-state"}
    )
    assert response.status_code == 403
    assert counts() == before
    assert not [call for call in world.calls if call[0] == "exchange"]


# --- error=access_denied ------------------------------------------------------------------------
@pytest.mark.parametrize("with_state", [True, False])
def test_access_denied_is_a_clear_400_and_stores_nothing(client, world, with_state):
    state = start(client) if with_state else "whatever"
    before = counts()
    response = client.get(
        "/connect/dailymotion/callback/",
        {"error": "access_denied", "error_description": "The user denied", "state": state},
    )
    assert_refused(response, before)
    assert b"You declined the connection" in response.content
    # The state was spent: the code cannot be slipped in afterwards.
    response = client.get("/connect/dailymotion/callback/", {"code": "code-x7new", "state": state})
    assert_refused(response, before)


def test_an_error_with_a_code_never_exchanges_it(client, world):
    state = start(client)
    before = counts()
    response = client.get(
        "/connect/dailymotion/callback/",
        {"error": "access_denied", "code": "code-x7new", "state": state},
    )
    assert_refused(response, before)
    assert not [call for call in world.calls if call[0] == "exchange"]


def test_an_unknown_error_description_is_shown_escaped(client, world):
    state = start(client)
    response = client.get(
        "/connect/dailymotion/callback/",
        {
            "error": "server_error",
            "error_description": '<script>alert(1)</script><a href="//evil.example">x</a>',
            "state": state,
        },
    )
    assert response.status_code == 400
    assert b"<script>alert(1)" not in response.content
    assert b'href="//evil.example"' not in response.content
    assert b"&lt;script&gt;" in response.content
