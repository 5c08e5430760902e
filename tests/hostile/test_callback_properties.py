"""The import callback under arbitrary bodies: never a 5xx, raw body kept, events applied once."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ingestion.models import CallbackDelivery, CallbackEvent, Video
from ingestion.tests.conftest import make_video

from .conftest import CALLBACK_TOKEN, examples, rolled_back

pytestmark = pytest.mark.usefixtures("hostile_tokens")
URL = f"/syndication/callback/?token={CALLBACK_TOKEN}"
UID = "u-hostile"

# Strings PostgreSQL or UTF-8 cannot carry, XML-ish text, and plain unicode.
NASTY_TEXT = st.sampled_from(
    ["\x00", "a\x00b", "\ud800", "\udfff x", "\ufffe", "<title>]]></item>", "&lt;", "é" * 300, ""]
)
TEXT = st.one_of(st.text(max_size=40), NASTY_TEXT)
NUMBERS = st.one_of(
    st.integers(),
    st.integers(min_value=-(2**200), max_value=2**200),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([2**63, 2**63 - 1, -(2**63), -(2**63) - 1, 10**40]),
)
SCALARS = st.one_of(st.none(), st.booleans(), NUMBERS, TEXT)
JSON = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=12,
)

# Bodies that are not JSON at all, or JSON that Python reads but no database stores.
RAW_BODIES = st.one_of(
    st.binary(max_size=300),
    st.sampled_from(
        [
            b"",
            b"\x00",
            b"[\x00]",
            b"\xef\xbb\xbf[]",
            b"[" * 5000 + b"]" * 5000,
            b'[{"a":' * 2000 + b"1" + b"}]" * 2000,
            b"[NaN]",
            b"[1e999]",
            b"[" + b"9" * 5000 + b"]",
            b'["\\ud800"]',
            b'"\\u0000"',
            b"<xml>[]</xml>",
            b"a=1&b=2",
            b"null",
        ]
    ),
)


def dump(value, ensure_ascii: bool = True) -> bytes:
    # ensure_ascii escapes lone surrogates as \udXXX, which is how they travel in real JSON.
    text = json.dumps(value, ensure_ascii=ensure_ascii)
    return text.encode("utf-8", errors="surrogatepass")


def event_strategy():
    """Events of the right shape whose every field may be of the wrong type, huge, or missing."""
    good_data = {
        "status": st.sampled_from(["ready", "error", "failed"]),
        "uid": st.one_of(st.just(UID), st.just(UID.upper()), TEXT, st.integers()),
        "remote_id": st.one_of(st.text(min_size=1, max_size=40), TEXT),
    }
    data = st.fixed_dictionaries(
        {},
        optional={
            **{k: st.one_of(v, JSON) for k, v in good_data.items()},
            "error": JSON,
            "user_id": JSON,
        },
    )
    return st.fixed_dictionaries(
        {},
        optional={
            "timestamp": st.one_of(NUMBERS, st.integers(0, 2**40), JSON),
            "type": st.one_of(st.just("injector.item.ready"), TEXT, JSON),
            "data": st.one_of(data, JSON),
            "extra": JSON,
        },
    )


def valid_event(*, remote_id: str, ts: int, status: str = "ready") -> dict:
    data = {"status": status, "uid": UID, "user_id": "528399c594a6f6616c1df20c"}
    if status == "ready":
        data["remote_id"] = remote_id
    else:
        data["error"] = "Media file could not be downloaded"
    return {"timestamp": ts, "type": f"injector.item.{status}", "data": data}


def snapshot() -> tuple:
    videos = list(
        Video.objects.order_by("id").values_list(
            "id", "state", "remote_id", "state_event_ts", "failure_reason", "updated_at"
        )
    )
    return videos, CallbackEvent.objects.count()


def post(client, body: bytes, content_type: str = "application/json"):
    return client.post(URL, body, content_type=content_type)


def check_response(response, body: bytes) -> CallbackDelivery:
    """No 5xx; the delivery is stored raw; a refusal is a JSON error a person can read."""
    assert response.status_code in (200, 400), (response.status_code, response.content[:300])
    assert response["Content-Type"] == "application/json"
    delivery = CallbackDelivery.objects.order_by("-id").first()
    assert delivery is not None, "the raw delivery was not kept"
    assert delivery.body_bytes == len(body)
    if response.status_code == 400:
        error = response.json()["error"]
        assert isinstance(error, str) and len(error) > 5
        assert delivery.status == CallbackDelivery.Status.INVALID
        assert delivery.error == error
    else:
        assert delivery.status in (
            CallbackDelivery.Status.PROCESSED,
            CallbackDelivery.Status.ERROR,
        )
    return delivery


@pytest.fixture
def waiting_video(adopted_creator) -> Video:
    return make_video(adopted_creator, uid=UID)


@settings(max_examples=examples(120))
@given(body=RAW_BODIES)
def test_any_bytes_get_200_or_a_clear_400_and_are_kept(client, waiting_video, body):
    with rolled_back():
        before = snapshot()
        response = post(client, body)
        delivery = check_response(response, body)
        if b"\x00" not in body:
            # Kept as received (bytes that are not UTF-8 become U+FFFD, as the model says).
            assert delivery.body == body.decode("utf-8", errors="replace")
        if response.status_code == 400:
            assert snapshot() == before


@settings(max_examples=examples(120))
@given(value=JSON, ensure_ascii=st.booleans())
def test_any_json_value_gets_200_or_a_clear_400(client, waiting_video, value, ensure_ascii):
    body = dump(value, ensure_ascii)
    with rolled_back():
        before = snapshot()
        response = post(client, body)
        check_response(response, body)
        if response.status_code == 400:
            assert snapshot() == before
        else:
            assert isinstance(value, list)


@settings(max_examples=examples(150))
@given(events=st.lists(event_strategy(), max_size=4), ensure_ascii=st.booleans())
def test_events_with_wrong_types_or_missing_fields_change_nothing(
    client, waiting_video, events, ensure_ascii
):
    body = dump(events, ensure_ascii)
    with rolled_back():
        before = snapshot()
        response = post(client, body)
        delivery = check_response(response, body)
        if response.status_code == 400:
            assert snapshot() == before
            return
        summary = response.json()
        assert summary["received"] == len(events)
        assert summary["new"] + summary["duplicates"] == len(events)
        assert CallbackEvent.objects.filter(delivery=delivery).count() == summary["new"]
        video = Video.objects.get(pk=waiting_video.pk)
        touched = any(e["data"]["uid"] == UID for e in events)
        if not touched:
            assert (video.state, video.remote_id) == (Video.State.QUEUED, "")


@settings(max_examples=examples(60))
@given(
    remote_id=st.text(min_size=1, max_size=32).filter(lambda s: "\x00" not in s),
    ts=st.integers(min_value=0, max_value=2**63 - 1),
    replays=st.integers(min_value=1, max_value=4),
    junk=st.lists(RAW_BODIES, max_size=2),
)
def test_a_valid_event_is_applied_exactly_once_however_often_replayed(
    client, waiting_video, remote_id, ts, replays, junk
):
    body = dump([valid_event(remote_id=remote_id, ts=ts)])
    with rolled_back():
        deliveries = CallbackDelivery.objects.count()
        first = post(client, body)
        assert first.status_code == 200, first.content
        assert first.json()["new"] == 1 and first.json()["matched"] == 1
        video = Video.objects.get(pk=waiting_video.pk)
        assert (video.state, video.remote_id) == (Video.State.IMPORTED, remote_id)
        assert video.state_event_ts == ts
        applied = (video.updated_at, video.done_at, video.callback_at)
        for n in range(replays):
            for other in junk:
                check_response(post(client, other), other)
            again = post(client, body if n % 2 else body + b"\n")
            assert again.status_code == 200
            assert again.json()["new"] == 0 and again.json()["duplicates"] == 1
        video.refresh_from_db()
        assert (video.state, video.remote_id) == (Video.State.IMPORTED, remote_id)
        assert (video.updated_at, video.done_at, video.callback_at) == applied
        assert CallbackEvent.objects.filter(uid=UID).count() == 1
        assert CallbackDelivery.objects.count() == deliveries + 1 + replays * (1 + len(junk))


@settings(max_examples=examples(40))
@given(
    timestamps=st.lists(
        st.integers(min_value=0, max_value=2**63 - 1), min_size=1, max_size=6, unique=True
    ),
    statuses=st.lists(st.sampled_from(["ready", "error"]), min_size=6, max_size=6),
    split=st.booleans(),
)
def test_the_newest_event_decides_whatever_the_order_and_duplication(
    client, waiting_video, timestamps, statuses, split
):
    events = [
        valid_event(remote_id=f"x{n}", ts=ts, status=statuses[n]) for n, ts in enumerate(timestamps)
    ]
    with rolled_back():
        if split:
            for event in events:
                assert post(client, dump([event, event])).status_code == 200
        else:
            assert post(client, dump(events + events[::-1])).status_code == 200
        newest = max(events, key=lambda e: e["timestamp"])
        video = Video.objects.get(pk=waiting_video.pk)
        assert video.state_event_ts == newest["timestamp"]
        if newest["data"]["status"] == "ready":
            assert (video.state, video.remote_id) == (
                Video.State.IMPORTED,
                newest["data"]["remote_id"],
            )
        else:
            assert video.state == Video.State.FAILED
        assert CallbackEvent.objects.count() == len(events)
