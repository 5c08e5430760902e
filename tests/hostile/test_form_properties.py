"""Every form and every view that reads request.POST, fed generated data: never a 5xx, invalid
input is answered with an error and changes nothing in the database."""

from __future__ import annotations

from datetime import date
from unittest import mock
from urllib.parse import urlencode

import pytest
from django.apps import apps
from django.contrib import messages
from hypothesis import example, given, settings
from hypothesis import strategies as st

from accounts import services as account_services
from adoption import forms as adoption_forms
from adoption.models import Drift
from ingestion import forms as ingestion_forms
from revenues import forms as revenue_forms

from .conftest import examples, rolled_back

# Text a browser can send (no lone surrogates: they cannot be encoded), hostile where it counts.
NASTY = st.sampled_from(
    [
        "",
        " ",
        "\x00",
        "a\x00b",
        "x" * 3000,
        "<script>alert(1)</script>",
        "' OR 1=1 --",
        "=cmd|' /C calc'!A0",
        "../../etc/passwd",
        "é😀中文\u202e",
        "²",
        "٣",
        "1e999999",
        "NaN",
        "Infinity",
        "-0",
        "100.001",
        "99999999999999999999999",
        "-1",
        "0001-01-01",
        "9999-12-31",
        "2024-02-30",
        "10000-01-01",
        "approve",
        "reject",
        "custom",
        "-gross",
        "1",
        "0",
    ]
)
TEXT = st.one_of(
    NASTY, st.text(max_size=20).filter(lambda s: not any(0xD800 <= ord(c) <= 0xDFFF for c in s))
)
VALUE = st.one_of(TEXT, st.lists(TEXT, min_size=1, max_size=3))

# The models whose rows a refused form must leave untouched.
APPS = ("accounts", "adoption", "ingestion", "revenues", "auth")


def fingerprint() -> dict:
    """Every row of the project's own tables (small in these tests), to compare before/after."""
    state = {}
    for model in apps.get_models():
        if model._meta.app_label in APPS and not model._meta.proxy:
            fields = [f.attname for f in model._meta.concrete_fields if f.name != "last_login"]
            state[model._meta.label] = list(model.objects.order_by("pk").values_list(*fields))
    return state


DATES = st.one_of(
    st.dates().map(str),
    st.sampled_from(["0001-01-01", "0001-01-02", "9999-12-31", "2024-02-30", "2024-13-01"]),
    TEXT,
)
NUMBERS = st.one_of(
    st.integers().map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.floats().map(str),
    TEXT,
)
IDS = st.lists(
    st.one_of(
        st.integers(min_value=-1, max_value=2**70).map(str),
        st.sampled_from(["²", "٣", "1e3", " 1", "0x10", "1_000"]),
        TEXT,
    ),
    max_size=4,
)
CHOICES = {
    "action": st.sampled_from(["approve", "reject", "upload", "requeue", "", "delete"]),
    "period": st.sampled_from(["custom", "this_month", "last_month", "last_30_days", "", "x"]),
    "sort": st.sampled_from(["-gross", "gross", "username", "-username", "newest", "nope"]),
}


def form_data(fields: list[str], **special):
    """Each field present or not, drawn from its own strategy, plus stray keys."""
    fields_strategies = {f: special.get(f, CHOICES.get(f, VALUE) | VALUE) for f in fields}
    return st.fixed_dictionaries({}, optional={**fields_strategies, "next": VALUE, "junk": VALUE})


def send(client, url: str, data: dict, urlencoded: bool):
    if urlencoded:
        body = urlencode(data, doseq=True)
        return client.post(url, body, content_type="application/x-www-form-urlencoded")
    return client.post(url, data)


def querydict(data: dict):
    from django.http import QueryDict

    q = QueryDict(mutable=True)
    for key, value in data.items():
        q.setlist(key, value if isinstance(value, list) else [value])
    return q


def error_messages(response) -> list[str]:
    return [
        m.message for m in messages.get_messages(response.wsgi_request) if m.level_tag == "error"
    ]


def assert_refused(response, before: dict, *, statuses=(200, 302, 400)) -> None:
    assert response.status_code in statuses, response.status_code
    if response.status_code == 302:
        assert error_messages(response), "a refused form redirected without saying why"
    else:
        form = response.context["form"]
        assert form.errors, "an invalid form was re-rendered without an error"
    assert fingerprint() == before, "an invalid form changed the database"


FORM_SETTINGS = settings(max_examples=examples(40))


@FORM_SETTINGS
@given(data=form_data(["reason"]), urlencoded=st.booleans())
def test_the_reject_form(staff_client, pending_creator, data, urlencoded):
    url = f"/staff/creators/{pending_creator.pk}/reject/"
    with rolled_back():
        before = fingerprint()
        response = send(staff_client, url, data, urlencoded)
        assert response.status_code < 500
        if not adoption_forms.RejectForm(querydict(data)).is_valid():
            assert response.status_code == 400
            assert_refused(response, before)
        else:
            assert response.status_code == 302
            pending_creator.refresh_from_db()
            assert pending_creator.status == "rejected"


@FORM_SETTINGS
@given(data=form_data(["username", "password"]), urlencoded=st.booleans())
def test_the_add_creator_form(staff_client, data, urlencoded):
    refuse = mock.patch.object(
        account_services,
        "creator_connect_with_password",
        side_effect=account_services.ConnectError("Dailymotion refused these credentials."),
    )
    with rolled_back(), refuse:
        before = fingerprint()
        response = send(staff_client, "/staff/creators/add/", data, urlencoded)
        assert response.status_code == 200
        assert_refused(response, before)


@FORM_SETTINGS
@given(
    data=form_data(["action", "ids", "reason"], ids=IDS), urlencoded=st.booleans(), pk=st.booleans()
)
def test_the_bulk_form(staff_client, pending_creator, data, urlencoded, pk):
    if pk and "ids" in data:
        data["ids"] = [
            str(pending_creator.pk),
            *([data["ids"]] if isinstance(data["ids"], str) else data["ids"]),
        ]
    started = mock.patch("adoption.services.bulk_start", return_value=mock.Mock(pk=1))
    with rolled_back(), started as bulk_start:
        before = fingerprint()
        response = send(staff_client, "/staff/bulk/", data, urlencoded)
        assert response.status_code == 302
        if not adoption_forms.BulkForm(querydict(data)).is_valid():
            assert not bulk_start.called
            assert_refused(response, before)


@FORM_SETTINGS
@given(data=form_data(["fix"]), urlencoded=st.booleans())
def test_the_drift_fix_form(staff_client, data, urlencoded):
    fixed = mock.patch("adoption.services.drift_fix")
    with rolled_back(), fixed as drift_fix:
        drift = Drift.objects.create(kind=Drift.Kind.choices[0][0], dailymotion_id="x9drift")
        before = fingerprint()
        response = send(staff_client, f"/staff/drift/{drift.pk}/fix/", data, urlencoded)
        assert response.status_code == 302
        if not adoption_forms.DriftFixForm(querydict(data)).is_valid():
            assert not drift_fix.called
            assert_refused(response, before)


@FORM_SETTINGS
@given(
    data=form_data(["percent", "effective_from", "note"], percent=NUMBERS, effective_from=DATES),
    urlencoded=st.booleans(),
)
def test_the_revenue_share_form(staff_client, adopted_creator, data, urlencoded):
    url = f"/staff/revenues/creators/{adopted_creator.pk}/share/"
    with rolled_back():
        before = fingerprint()
        response = send(staff_client, url, data, urlencoded)
        if not revenue_forms.ShareForm(querydict(data)).is_valid():
            assert response.status_code == 400
            assert response.context["share_form"].errors
            assert fingerprint() == before
        else:
            assert response.status_code == 302


@FORM_SETTINGS
@given(data=form_data(["username", "password"]), urlencoded=st.booleans())
def test_the_staff_login_form(client, staff_user, data, urlencoded):
    with rolled_back():
        before = fingerprint()
        response = send(client, "/staff/login/", data, urlencoded)
        assert response.status_code == 200
        assert_refused(response, before)


@FORM_SETTINGS
@example(data={"action": "upload", "ids": ["²", str(2**64)]}, urlencoded=False)
@given(data=form_data(["action", "ids"], ids=IDS), urlencoded=st.booleans())
def test_the_video_bulk_action(staff_client, data, urlencoded):
    with rolled_back():
        before = fingerprint()
        response = send(staff_client, "/staff/videos/bulk/", data, urlencoded)
        assert response.status_code == 302
        assert fingerprint() == before  # no video exists: nothing to act on


@FORM_SETTINGS
@given(data=form_data(["enabled"]), urlencoded=st.booleans())
def test_the_syndication_switch(staff_client, adopted_creator, data, urlencoded):
    url = f"/staff/creators/{adopted_creator.dailymotion_id}/syndication/"
    with rolled_back():
        response = send(staff_client, url, data, urlencoded)
        assert response.status_code == 302
        adopted_creator.refresh_from_db()
        sent = data.get("enabled")
        last = sent[-1] if isinstance(sent, list) else sent
        assert adopted_creator.syndication_enabled == (last == "1")


@FORM_SETTINGS
@given(
    data=form_data(["next"]),
    urlencoded=st.booleans(),
    action=st.sampled_from(["upload", "requeue"]),
)
def test_the_video_actions_on_a_missing_video(staff_client, data, urlencoded, action):
    with rolled_back():
        before = fingerprint()
        response = send(staff_client, f"/staff/videos/999999/{action}/", data, urlencoded)
        assert response.status_code == 404
        assert fingerprint() == before


GET_PAGES = [
    ("/staff/", adoption_forms.CreatorFilterForm, ["status", "q", "sort", "page"]),
    ("/staff/videos/", ingestion_forms.VideoFilterForm, ["state", "creator", "q", "page"]),
    ("/staff/audit/", adoption_forms.AuditFilterForm, ["action", "actor", "q", "page"]),
    ("/staff/revenues/", revenue_forms.PeriodForm, ["period", "start", "end", "sort", "page"]),
    ("/staff/revenues.csv", revenue_forms.PeriodForm, ["period", "start", "end", "sort"]),
    ("/staff/callbacks/", None, ["show", "q", "page"]),
    ("/staff/crawls/", None, ["creator", "page"]),
]


@pytest.mark.parametrize(("url", "form", "fields"), GET_PAGES, ids=[p[0] for p in GET_PAGES])
@settings(max_examples=examples(25))
@given(data=st.data())
def test_filter_forms_in_the_query_string_never_fail(
    staff_client, adopted_creator, url, form, fields, data
):
    query = data.draw(form_data(fields, start=DATES, end=DATES, page=NUMBERS))
    with rolled_back():
        response = staff_client.get(url, query)
        assert response.status_code == 200
        if response.streaming:
            b"".join(response.streaming_content)


@settings(max_examples=examples(30))
@example(start=date(1, 1, 1), end=date(1, 1, 5), csv=False)
@example(start=date(9999, 12, 1), end=date(9999, 12, 31), csv=True)
@given(start=st.dates(), end=st.dates(), csv=st.booleans())
def test_any_custom_period_is_reported_or_refused(staff_client, start, end, csv):
    query = {"period": "custom", "start": str(start), "end": str(end)}
    with rolled_back():
        response = staff_client.get("/staff/revenues.csv" if csv else "/staff/revenues/", query)
        assert response.status_code == 200
        if response.streaming:
            b"".join(response.streaming_content)
        elif not revenue_forms.PeriodForm(query).is_valid():
            assert response.context["form"].errors
