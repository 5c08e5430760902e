"""The children iterator returns every child of a big network despite the 1000-result cap."""

from __future__ import annotations

import json
import random
from urllib.parse import parse_qs, urlsplit

import pytest

from .conftest import API, add_fixture

NOW = 1_760_000_000  # children are created before this moment (Unix seconds)


def fake_children_listing(children: list[dict], *, inclusive: bool, with_total: bool = True):
    """A `responses` callback behaving like /user/<id>/children: filters, sort=old, the 1000 cap."""

    def answer(request):
        q = {k: v[0] for k, v in parse_qs(urlsplit(request.url).query).items()}
        page, limit = int(q.get("page", 1)), int(q.get("limit", 10))
        if limit > 100 or page * limit > 1000:
            body = {
                "error": {"code": 400, "message": "1000 results cap.", "type": "invalid_parameter"}
            }
            return 400, {}, json.dumps(body)
        after, before = q.get("created_after"), q.get("created_before")
        rows = children
        if after is not None:
            a = int(after)
            rows = [
                c for c in rows if (c["created_time"] >= a if inclusive else c["created_time"] > a)
            ]
        if before is not None:
            b = int(before)
            rows = [
                c for c in rows if (c["created_time"] <= b if inclusive else c["created_time"] < b)
            ]
        assert q.get("sort") == "old"
        rows = sorted(rows, key=lambda c: (c["created_time"], c["id"]))
        chunk = rows[(page - 1) * limit : page * limit]
        fields = q["fields"].split(",")
        body = {
            "page": page,
            "limit": limit,
            "explicit": False,
            "has_more": page * limit < min(len(rows), 1000),
            "list": [{f: c[f] for f in fields if f in c} for c in chunk],
        }
        if with_total:
            body["total"] = len(rows)
        return 200, {}, json.dumps(body)

    return answer


def network(size: int, *, skewed: bool = False) -> list[dict]:
    rng = random.Random(size)
    start = NOW - 5 * 365 * 86400
    if skewed:
        # 80% of the network joined in one busy month (a campaign), the rest over five years.
        times = [
            NOW - 40 * 86400 + rng.randrange(30 * 86400) if n % 5 else rng.randrange(start, NOW)
            for n in range(size)
        ]
    else:
        times = [rng.randrange(start, NOW) for _ in range(size)]
    return [
        {"id": f"x{n:05d}", "username": f"child-{n}", "created_time": t}
        for n, t in enumerate(times)
    ]


@pytest.mark.parametrize("inclusive", [False, True], ids=["exclusive-bounds", "inclusive-bounds"])
def test_it_returns_each_of_10000_children_once_in_about_total_over_100_calls(
    client, rsps, inclusive
):
    children = network(10_000)
    rsps.add_callback(
        "GET",
        f"{API}/user/x0mcn01/children",
        callback=fake_children_listing(children, inclusive=inclusive),
    )

    ids = [c.id for c in client.children("x0mcn01")]

    assert len(ids) == len(set(ids)) == 10_000
    assert set(ids) == {c["id"] for c in children}
    assert 100 <= client.calls_made <= 120
    assert all(c.response.status_code == 200 for c in rsps.calls)


def test_it_copes_with_a_network_that_grew_in_bursts(client, rsps):
    children = network(10_000, skewed=True)
    rsps.add_callback(
        "GET",
        f"{API}/user/x0mcn01/children",
        callback=fake_children_listing(children, inclusive=False),
    )

    ids = [c.id for c in client.children("x0mcn01")]

    assert len(ids) == len(set(ids)) == 10_000
    assert client.calls_made <= 130


def test_it_still_gets_everyone_when_dailymotion_gives_no_total(client, rsps):
    children = network(2_500)
    rsps.add_callback(
        "GET",
        f"{API}/user/x0mcn01/children",
        callback=fake_children_listing(children, inclusive=False, with_total=False),
    )

    ids = [c.id for c in client.children("x0mcn01")]

    assert len(ids) == len(set(ids)) == 2_500


def test_it_reads_a_small_network_in_one_call_with_the_fields_asked(client, rsps):
    add_fixture(rsps, "GET", f"{API}/user/x0mcn01/children", "children_page")

    children = list(client.children("x0mcn01", fields=["id", "username", "revenues_video_total"]))

    assert [(c.id, c.username) for c in children] == [
        ("x1", "child one"),
        ("x2", "child two"),
        ("x3", "child three"),
    ]
    assert str(children[0].revenues["revenues_video_total"]) == "8420.5"
    assert client.calls_made == 1
    q = parse_qs(urlsplit(rsps.calls[0].request.url).query)
    assert q["fields"] == ["created_time,id,username,revenues_video_total"]
    assert (q["limit"], q["page"]) == (["100"], ["1"])
