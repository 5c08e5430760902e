"""Secrets never reach a log line, a page, or a database column in plain text.

One end-to-end run against the live sandbox does everything that handles a secret: creators
connect by OAuth, staff connect the parent by password grant and add a creator by password,
approve creators, poll revenues, the crawler reads the user list and feeds with the syndication
token and posts callbacks with the callback token, tokens expire and are refreshed, and the
token endpoint fails with 500 during a refresh. Every token the sandbox issued (caught as it
issued them: it keeps only hashes), every authorization code, the machine tokens, the passwords,
the client secret, TOKEN_ENCRYPTION_KEY and SECRET_KEY are then searched for in every log record
(caught before any handler's filter could rewrite it), every page the test fetched, and every
row of every table of the default database.
"""

from __future__ import annotations

import hashlib
import io
import logging
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import User
from django.contrib.sessions.models import Session
from django.db import connections
from django.test import Client
from django.urls import reverse

from accounts.models import Creator, DailymotionCredential
from ingestion.models import Video
from revenues.services import revenues_poll

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")

SYNDICATION_SECRET = "synd-9f2c41d7e6b84a0f-hostile"
CALLBACK_SECRET = "cbk-3a7d90e2c15f48b6-hostile"
PLANTED_REFRESH = "planted-refresh-0c4b7e19d2"


class RawRecords(logging.Handler):
    """Keeps each record as text the moment it is emitted, before later filters rewrite it."""

    def __init__(self, with_args: bool = True) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []
        self.with_args = with_args
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        text = self.format(record)
        # Arguments too: a handler with another format could print them raw.
        self.lines.append(f"{text} {record.args!r}" if self.with_args else text)


@pytest.fixture
def raw_logs(caplog):
    """Every record of every logger at DEBUG, django.request and django.server included."""
    caplog.set_level(logging.DEBUG)
    handler = RawRecords()
    root = logging.getLogger()
    root.handlers.insert(0, handler)  # first: before the console handler's redaction filter
    # Loggers that do not propagate to the root get the handler directly.
    extra = [logging.getLogger(name) for name in ("django.server", "django.security.csrf")]
    for logger in extra:
        logger.addHandler(handler)
    yield handler
    root.removeHandler(handler)
    for logger in extra:
        logger.removeHandler(handler)


@pytest.fixture
def issued(monkeypatch) -> dict[str, list[str]]:
    """Every token and code the sandbox hands out, in plain text (it stores only hashes)."""
    from sandbox import services as sandbox_services

    caught: dict[str, list[str]] = {"tokens": [], "codes": []}
    token_issue = sandbox_services.token_issue
    authorize_accept = sandbox_services.authorize_accept

    def spy_token_issue(**kwargs):
        body = token_issue(**kwargs)
        caught["tokens"] += [body["access_token"], body["refresh_token"]]
        return body

    def spy_authorize_accept(*args, **kwargs):
        url = authorize_accept(*args, **kwargs)
        caught["codes"] += parse_qs(urlsplit(url).query).get("code", [])
        return url

    monkeypatch.setattr(sandbox_services, "token_issue", spy_token_issue)
    monkeypatch.setattr(sandbox_services, "authorize_accept", spy_authorize_accept)
    return caught


@pytest.fixture
def sandbox(dailymotion_sandbox, settings):
    settings.SYNDICATION_TOKENS = [SYNDICATION_SECRET]
    settings.CALLBACK_TOKENS = [CALLBACK_SECRET]
    settings.DAILYMOTION_RATE_LIMIT = 0
    settings.DAILYMOTION_MAX_RETRIES = 2
    settings.DAILYMOTION_TIMEOUT = 5
    return dailymotion_sandbox


class Pages:
    """A client that keeps every body it fetched."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self.bodies: list[tuple[str, str]] = []

    def get(self, path: str, expect: int = 200, **kwargs):
        response = self.client.get(path, **kwargs)
        assert response.status_code == expect, (path, response.status_code)
        self.keep(path, response)
        return response

    def post(self, path: str, data=None, follow: bool = True):
        response = self.client.post(path, data or {}, follow=follow)
        assert response.status_code < 500, (path, response.status_code)
        self.keep(path, response)
        return response

    def keep(self, path: str, response) -> None:
        body = b"".join(response.streaming_content) if response.streaming else response.content
        headers = " ".join(f"{k}: {v}" for k, v in response.items())
        self.bodies.append((path, headers + "\n" + body.decode("utf-8", "replace")))


def connect(sandbox, username: str) -> Pages:
    """A creator connects through the sandbox's consent page; returns their signed-in client."""
    pages = Pages(Client())
    consent = pages.client.get("/connect/dailymotion/")
    back = urlsplit(sandbox.authorize(consent["Location"], username))
    response = pages.client.get(f"{back.path}?{back.query}")
    assert response.status_code == 302, response.content[:500]
    pages.get("/me/")
    return pages


def every_page(staff: Pages, creator: Pages, staff_user: User) -> None:
    """GET every page of the portal (admin's credential pages were fetched by the test)."""
    from adoption.models import BulkJob, Drift
    from ingestion.models import CatalogImport
    from revenues.models import PollRun

    from .test_csrf import kwargs_for, url_patterns

    pending = Creator.objects.order_by("pk").first()
    objects = {
        "creator": pending,
        "adopted": Creator.objects.filter(status=Creator.Status.ADOPTED).first(),
        "video": Video.objects.first(),
        "job": BulkJob.objects.create(action="approve", creator_ids=[pending.pk], total=1),
        "drift": Drift.objects.create(kind=Drift.Kind.values[0], dailymotion_id="x9d"),
        "run": PollRun.objects.first(),
        "catalog_import": CatalogImport.objects.create(filename="c.csv", created_by=staff_user),
    }
    skipped = {"staff_logout", "connect_start", "connect_callback", "adoption_parent_connect"}
    for route, name, _ in url_patterns():
        if name in skipped or route.startswith("syndication/"):
            continue  # no page: they redirect to Dailymotion, or they are the crawler's
        path = reverse(name, kwargs=kwargs_for(name, route, objects))
        pages = creator if path.startswith("/me/") else staff
        response = pages.client.get(path)
        assert response.status_code < 500, path
        pages.keep(path, response)


def table_rows(alias: str = "default") -> list[tuple[str, str]]:
    """(table, row as text) of every row of every table of that database."""
    connection = connections[alias]
    rows = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            for row in cursor.fetchall():
                cells = [
                    bytes(cell).decode("latin-1")
                    if isinstance(cell, bytes | memoryview)
                    else str(cell)
                    for cell in row
                ]
                rows.append((table, " | ".join(cells)))
    # Sessions are signed base64: look inside them too.
    for session in Session.objects.all():
        rows.append(("django_session (decoded)", repr(session.get_decoded())))
    return rows


def find(secrets: dict[str, str], haystack: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """(secret name, where) for each secret found."""
    return [
        (name, where)
        for where, text in haystack
        for name, secret in secrets.items()
        if secret in text
    ]


def test_no_secret_reaches_a_log_line_a_page_or_a_column(sandbox, issued, raw_logs, settings):
    from sandbox.models import SandboxToken  # the sandbox app exists only when it is enabled

    staff_user = User.objects.create_user("manager", is_staff=True, is_superuser=True)
    staff = Pages(Client())
    staff.client.force_login(staff_user)

    # Creators connect by OAuth; staff connect the parent by password grant.
    creators = [connect(sandbox, name) for name in ("creator01", "creator02", "creator04")]
    staff.post("/staff/parent/password/")
    assert DailymotionCredential.objects.filter(kind="parent").exists()
    # And in the browser: the parent's own OAuth consent, as staff do without a password.
    consent = staff.client.get("/staff/parent/connect/")
    back = urlsplit(sandbox.authorize(consent["Location"], "mcn-network"))
    staff.get(f"{back.path}?{back.query}", expect=302)
    staff.post("/staff/parent/check/")
    # A creator the network controls, added by password grant (the password is used once).
    creator03_password = sandbox.account("creator03").password
    staff.post("/staff/creators/add/", {"username": "creator03", "password": creator03_password})
    staff.post("/staff/creators/add/", {"username": "creator05", "password": "wrong-pass-77x"})

    # Approve: adoption with each creator's token (creator04 waits for the error path).
    for creator in Creator.objects.filter(status=Creator.Status.PENDING).exclude(
        username="creator04"
    ):
        staff.post(f"/staff/creators/{creator.pk}/approve/")
    adopted = list(Creator.objects.filter(status=Creator.Status.ADOPTED))
    assert len(adopted) >= 3

    # A crawl: the user list and feeds with the syndication token, callbacks with the other.
    for n, creator in enumerate(adopted):
        Video.objects.create(
            creator=creator,
            uid=f"secret-video-{n}",
            title=f"Video {n}",
            video_url=f"https://cdn.example/{n}.mp4",
            channel="news",
        )
    summary = sandbox.crawl()
    assert summary, summary
    assert Video.objects.exclude(remote_id="").exists()

    # A poll, then tokens expire and are refreshed, then a refresh that fails with 500.
    revenues_poll(trigger="command")
    sandbox.expire_token("creator01")
    sandbox.expire_token("mcn-network")
    revenues_poll(trigger="command")
    staff.post("/staff/parent/check/")
    staff.post(f"/staff/creators/{Creator.objects.get(username='creator01').pk}/verify/")
    assert SandboxToken.objects.filter(grant="refresh_token").count() >= 2  # parent and creator
    # A refresh refused for good: the account needs reconnecting, with the reason stored.
    sandbox.expire_token("creator02")
    credential = DailymotionCredential.objects.get(username="creator02")
    credential.refresh_token = PLANTED_REFRESH  # one Dailymotion no longer knows
    credential.save()
    staff.post(f"/staff/creators/{Creator.objects.get(username='creator02').pk}/verify/")
    assert DailymotionCredential.objects.exclude(last_error="").exists()
    # The error paths, where an exception could carry a URL or a body with a token in it.
    sandbox.expire_token("creator04")
    sandbox.expire_token("mcn-network")
    sandbox.fail_next("/oauth/token", 500, count=50)
    staff.post(f"/staff/creators/{Creator.objects.get(username='creator04').pk}/approve/")
    revenues_poll(trigger="command")
    staff.post("/staff/parent/check/")
    assert any("HTTP 500" in line for line in raw_logs.lines)  # the error path ran
    sandbox.fail_next("/me", 500, count=50)
    failed = Pages(Client())
    consent = failed.client.get("/connect/dailymotion/")
    back = urlsplit(sandbox.authorize(consent["Location"], "creator06"))
    assert failed.client.get(f"{back.path}?{back.query}").status_code == 400

    # A crawler that gets things wrong: each refusal is logged by django.request.
    wrong = Client()
    assert wrong.get("/syndication/users.json", {"token": "nope"}).status_code == 401
    feed = wrong.get("/syndication/feeds/x404404.xml", {"token": SYNDICATION_SECRET})
    assert feed.status_code in (401, 404)
    bad = wrong.post(
        f"/syndication/callback/?token={CALLBACK_SECRET}", b"{not json", "application/json"
    )
    assert bad.status_code == 400
    assert (
        wrong.post("/syndication/callback/?token=nope", b"[]", "application/json").status_code
        == 403
    )

    # Pages staff and creators see.
    staff.post("/staff/revenues/polls/start/")
    for path in (
        "/staff/",
        "/staff/?status=adopted",
        "/staff/audit/",
        "/staff/drift/",
        "/staff/videos/",
        "/staff/callbacks/",
        "/staff/crawls/",
        "/staff/revenues/",
        "/staff/revenues/polls/",
        "/staff/revenues.csv",
        "/admin/accounts/dailymotioncredential/",
        "/admin/accounts/creator/",
    ):
        staff.get(path)
    for creator in Creator.objects.all():
        staff.get(f"/staff/creators/{creator.pk}/")
        staff.get(f"/staff/revenues/creators/{creator.pk}/")
        staff.get(f"/admin/accounts/creator/{creator.pk}/change/")
    for credential in DailymotionCredential.objects.all():
        staff.get(f"/admin/accounts/dailymotioncredential/{credential.pk}/change/")
    for video in Video.objects.all():
        staff.get(f"/staff/videos/{video.pk}/")
    for pages in creators:
        pages.get("/me/")
        pages.get("/me/videos/")
        pages.get("/me/revenues.csv")
    # Then every other page of the URLconf, found by walking it as the CSRF suite does.
    every_page(staff, creators[0], staff_user)

    # The crawler alone gets the token back, inside feed_url: by design, and only with it.
    crawler = Pages(Client())
    assert crawler.client.get("/syndication/users.json").status_code == 401
    feed_list = crawler.client.get("/syndication/users.json", {"token": SYNDICATION_SECRET})
    assert SYNDICATION_SECRET in b"".join(feed_list.streaming_content).decode()
    assert Client().get("/syndication/callback/").status_code in (403, 405)

    secrets = {
        "SYNDICATION_TOKEN": SYNDICATION_SECRET,
        "CALLBACK_TOKEN": CALLBACK_SECRET,
        "DAILYMOTION_PARENT_PASSWORD": settings.DAILYMOTION_PARENT_PASSWORD,
        "DAILYMOTION_CLIENT_SECRET": settings.DAILYMOTION_CLIENT_SECRET,
        "creator03 password": creator03_password,
        "a refused password": "wrong-pass-77x",
        "a revoked refresh token": PLANTED_REFRESH,
        "SECRET_KEY": settings.SECRET_KEY,
    }
    secrets |= {
        f"TOKEN_ENCRYPTION_KEY[{i}]": k for i, k in enumerate(settings.TOKEN_ENCRYPTION_KEYS)
    }
    secrets |= {f"issued token {i}": token for i, token in enumerate(issued["tokens"])}
    secrets |= {f"authorization code {i}": code for i, code in enumerate(issued["codes"])}
    # The sandbox's own record: every token it keeps a hash of was caught in plain text.
    caught = {hashlib.sha256(token.encode()).hexdigest() for token in issued["tokens"]}
    assert set(SandboxToken.objects.values_list("access_hash", flat=True)) <= caught
    assert len(issued["tokens"]) >= 2 * 8  # 4 connects/adds, the parent twice, refreshes
    assert len(issued["codes"]) >= 4
    # What the portal stores (decrypted) is among what we search for: the search can fail.
    for credential in DailymotionCredential.objects.all():
        assert credential.access_token in issued["tokens"], credential
        assert find(secrets, [("column", credential.access_token)])

    logs = [("log", line) for line in raw_logs.lines]
    assert len(logs) > 20
    assert find(secrets, logs) == []
    assert find(secrets, staff.bodies + [b for p in creators for b in p.bodies]) == []
    assert find(secrets, table_rows()) == []
    # The sandbox plays Dailymotion: it knows the passwords and its key's secret, but keeps only
    # hashes of tokens and codes, and its /sandbox/ page lists crawls without our machine tokens.
    not_its_own = {
        name: secret
        for name, secret in secrets.items()
        if name.startswith(("SYNDICATION", "CALLBACK", "issued", "authorization"))
    }
    assert find(not_its_own, table_rows("sandbox")) == []
    print(
        f"\n{len(secrets)} secrets, {len(logs)} log records, "
        f"{len(staff.bodies) + sum(len(p.bodies) for p in creators)} pages, "
        f"{len(table_rows())} rows"
    )


# --- Request lines of the servers: the crawler's and the callback poster's ?token=… ------------
def outputs_of(logger: logging.Logger, *args, **extra) -> list[str]:
    """What each of the project's handlers on this logger's path writes for one record."""
    handlers = []
    current: logging.Logger | None = logger
    while current is not None:
        handlers += [h for h in current.handlers if not type(h).__module__.startswith("_pytest")]
        current = current.parent if current.propagate else None
    streams = {}
    for handler in handlers:
        if isinstance(handler, logging.StreamHandler):
            streams[handler] = (handler.setStream(io.StringIO()), handler.stream)
    try:
        logger.info(*args, extra=extra)
    finally:
        for handler, (old, _) in streams.items():
            handler.setStream(old)
    return [stream.getvalue() for _, stream in streams.values()]


@pytest.mark.parametrize(
    "request_line",
    [
        f"GET /syndication/users.json?token={SYNDICATION_SECRET} HTTP/1.1",
        f"GET /syndication/feeds/x2adop.xml?token={SYNDICATION_SECRET}&x=1 HTTP/1.1",
        f"POST /syndication/callback/?token={CALLBACK_SECRET} HTTP/1.1",
    ],
)
def test_the_dev_server_logs_request_lines_without_the_machine_tokens(request_line):
    """runserver (make demo, the sandbox crawler) logs each request line to django.server."""
    written = outputs_of(
        logging.getLogger("django.server"), '"%s" %s %s', request_line, "200", "42", status_code=200
    )
    assert written and any(written), "the request line should still be logged"
    assert not [out for out in written if SYNDICATION_SECRET in out or CALLBACK_SECRET in out]


def test_gunicorn_access_lines_carry_the_path_but_no_query_token():
    """Production serves with gunicorn --access-logfile -: its lines must not carry ?token=…"""
    from datetime import timedelta
    from types import SimpleNamespace

    from gunicorn.app.base import Application
    from gunicorn.glogging import Logger

    class Portal(Application):
        def init(self, parser, opts, args):
            return {"accesslog": "-"}

        def load(self):  # pragma: no cover - never served
            raise NotImplementedError

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("sys.argv", ["gunicorn", "mcn_portal.wsgi"])
        patch.chdir(django_settings.BASE_DIR)  # gunicorn reads ./gunicorn.conf.py, as in the image
        app = Portal()
    logger = Logger(app.cfg)
    lines = RawRecords(with_args=False)  # gunicorn passes the whole environ; the format decides
    logger.access_log.addHandler(lines)
    for secret, path in (
        (SYNDICATION_SECRET, "/syndication/users.json"),
        (CALLBACK_SECRET, "/syndication/callback/"),
    ):
        environ = {
            "REQUEST_METHOD": "GET",
            "RAW_URI": f"{path}?token={secret}",
            "PATH_INFO": path,
            "QUERY_STRING": f"token={secret}",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "192.0.2.1",
        }
        response = SimpleNamespace(status="200 OK", sent=42, headers=[])
        logger.access(response, SimpleNamespace(headers=[]), environ, timedelta(milliseconds=5))
    assert len(lines.lines) == 2
    assert "/syndication/users.json" in lines.lines[0]
    assert not [
        line for line in lines.lines if SYNDICATION_SECRET in line or CALLBACK_SECRET in line
    ]
