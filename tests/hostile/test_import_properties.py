"""The catalog CSV import under hostile files: no 5xx, clear row errors, idempotent, valid MRSS."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from ingestion import feeds, services
from ingestion.models import CHANNEL_CODES, Video

from .conftest import FEED_TOKEN, examples, rolled_back

pytestmark = pytest.mark.usefixtures("hostile_tokens")
URL = "/staff/videos/import/"
OWNER = "x2adop"  # the shared cast's adopted creator
HEADER = list(services.CSV_HEADER)
OPTIONAL = list(services.OPTIONAL_COLUMNS)

XMLISH = st.sampled_from(
    [
        "<title>]]></item>",
        "&lt;",
        "&amp;lt;",
        "<![CDATA[x]]>",
        "</channel></rss>",
        '"quoted", and, commas',
        "=cmd|' /C calc'!A0",
        "+1+1",
        "-2+3",
        "@SUM(A1)",
        "line\nbreak",
        "cr\rlf\r\n",
        "tab\there",
        "\x01\x02ctrl",
        "nul\x00inside",
        "é😀中文",
        "\u202eRTL",
        "\ufeffbom",
        " padded ",
    ]
)
TEXT = st.one_of(st.text(max_size=30), XMLISH)
GOOD_TITLE = st.one_of(
    XMLISH.filter(lambda s: "\x00" not in s), st.text(min_size=1, max_size=60)
).filter(lambda s: feeds.xml_text(s.strip()).strip())
DATES = st.one_of(
    st.sampled_from(
        [
            "",
            "2024-05-01",
            "2024-05-01T12:00:00Z",
            "2024-02-30",
            "2024-02-30T10:00:00",
            "2024-13-01",
            "0001-01-01T00:00:00+14:00",
            "9999-12-31T23:59:59-10:00",
            "yesterday",
            "2024-05-01T25:61:00",
        ]
    ),
    TEXT,
)
URLS = st.one_of(
    st.sampled_from(
        [
            "https://media.example.com/a.mp4",
            "ftp://media.example.com/b.mov",
            "http://[broken",
            "https://[::1]:99999/x.mp4",
            "javascript:alert(1)",
            "file:///etc/passwd",
            "https://media.example.com/" + "a" * 2100,
            "",
        ]
    ),
    TEXT,
)


def hostile_row():
    return st.fixed_dictionaries(
        {
            "owner": st.one_of(st.just(OWNER), st.just("x404"), TEXT),
            "uid": st.one_of(st.sampled_from(["u1", "u2", "u3"]), TEXT, st.just("u" * 300)),
            "title": st.one_of(GOOD_TITLE, TEXT, st.just("t" * 300)),
            "description": st.one_of(TEXT, st.just("d" * 3001)),
            "video_url": URLS,
            "thumbnail_url": URLS,
            "channel": st.one_of(st.sampled_from(sorted(CHANNEL_CODES)), TEXT),
            "tags": st.one_of(
                st.lists(TEXT, max_size=4).map(",".join), st.just(",".join(["t"] * 60))
            ),
            "published_at": DATES,
        },
        optional={
            "language": st.one_of(st.sampled_from(["en", "FR", "eng", "1a", ""]), TEXT),
            "is_created_for_kids": st.one_of(st.sampled_from(["true", "0", "maybe"]), TEXT),
            "duration": st.one_of(
                st.sampled_from(["12", "²", "٣", "9" * 25, "-5", "1.5", "4294967296"]), TEXT
            ),
            "geoblocking": st.one_of(st.sampled_from(["allow fr us", "deny", "block x"]), TEXT),
        },
    )


def valid_row():
    """Rows Dailymotion's rules accept: each must end up in the feed exactly as written."""
    return st.fixed_dictionaries(
        {
            "owner": st.just(OWNER),
            "uid": st.text(
                alphabet=st.characters(codec="utf-8", exclude_characters="\x00"),
                min_size=1,
                max_size=40,
            ).filter(lambda s: s.strip() and feeds.xml_text(s) == s),
            "title": GOOD_TITLE,
            "description": st.text(max_size=100).map(lambda s: s.replace("\x00", "")),
            "video_url": st.just("https://media.example.com/v.mp4"),
            "thumbnail_url": st.just(""),
            "channel": st.sampled_from(sorted(CHANNEL_CODES)),
            "tags": st.just("one,two"),
            "published_at": st.sampled_from(["", "2024-05-01", "2023-01-02T03:04:05+02:00"]),
        }
    )


def to_csv(rows: list[dict]) -> str:
    columns = HEADER + [c for c in OPTIONAL if any(c in r for r in rows)]
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=columns, restval="")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def upload(client, data: bytes, name: str = "catalog.csv"):
    return client.post(URL, {"file": SimpleUploadedFile(name, data, content_type="text/csv")})


def feed_titles(client) -> dict[str, str]:
    response = client.get(f"/syndication/feeds/{OWNER}.xml", {"token": FEED_TOKEN})
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    root = etree.fromstring(body, parser=etree.XMLParser(resolve_entities=False, no_network=True))
    return {item.findtext("guid"): item.findtext("title") for item in root.iter("item")}


def expected_outcome(rows: list[dict]) -> tuple[dict[str, dict], int]:
    """What should be loaded (uid -> cleaned row, last one wins) and how many rows are refused."""
    loaded: dict[str, dict] = {}
    refused = 0
    for raw in rows:
        data, problems = services.video_clean(raw)
        if problems or data["owner"] != OWNER:
            refused += 1
        else:
            loaded[data["uid"]] = data
    return loaded, refused


def check_import(client, staff_client, data: bytes, rows: list[dict]) -> None:
    loaded, refused = expected_outcome(rows)
    response = upload(staff_client, data)
    assert response.status_code == 200
    report = response.context["report"]
    assert report is not None, response.context["form"].errors
    assert (report.rows, report.error_count) == (len(rows), refused)
    assert all(e.message and e.line >= 2 for e in report.errors)
    assert report.created == len(loaded) and report.updated == 0
    videos = {v.uid: v for v in Video.objects.filter(creator__dailymotion_id=OWNER)}
    assert set(videos) == set(loaded)
    # Re-importing the same file changes nothing and duplicates nothing.
    again = upload(staff_client, data).context["report"]
    assert (again.created, again.updated, again.error_count) == (0, len(loaded), refused)
    assert Video.objects.filter(creator__dailymotion_id=OWNER).count() == len(loaded)
    titles = feed_titles(client)
    assert titles == {uid: row["title"] for uid, row in loaded.items()}


@settings(max_examples=examples(40))
@given(rows=st.lists(valid_row(), min_size=1, max_size=5))
def test_valid_rows_are_loaded_once_and_their_titles_survive_the_feed(
    client, staff_client, adopted_creator, rows
):
    with rolled_back():
        check_import(client, staff_client, to_csv(rows).encode("utf-8"), rows)
        loaded, _ = expected_outcome(rows)
        titles = feed_titles(client)
        for row in rows:
            assert titles[row["uid"].strip()] == loaded[row["uid"].strip()]["title"]
        last = {row["uid"].strip(): row["title"] for row in rows}
        assert titles == {uid: feeds.xml_text(t.strip()) for uid, t in last.items()}


@settings(max_examples=examples(80))
@given(rows=st.lists(hostile_row(), min_size=1, max_size=5), bom=st.booleans())
def test_hostile_rows_are_refused_clearly_and_never_break_the_feed(
    client, staff_client, adopted_creator, rows, bom
):
    data = to_csv(rows).encode("utf-8-sig" if bom else "utf-8")
    with rolled_back():
        check_import(client, staff_client, data, rows)


HEADER_LINE = ",".join(HEADER)
ODD_FILES = st.one_of(
    st.binary(max_size=300),
    st.text(max_size=300).map(str.encode),
    st.builds(lambda tail: (HEADER_LINE + "\n" + tail).encode(), st.text(max_size=300)),
    st.builds(
        lambda header, tail: (",".join(header) + "\n" + tail).encode(),
        st.lists(st.sampled_from(HEADER + OPTIONAL + ["extra", "", "OWNER"]), max_size=12),
        st.text(max_size=100),
    ),
    st.sampled_from(
        [
            b"",
            b"\xef\xbb\xbf",
            b"\xff\xfe" + HEADER_LINE.encode("utf-16-le"),
            HEADER_LINE.encode("utf-16"),
            HEADER_LINE.encode("latin-1") + b"\nx2adop,u1,caf\xe9,,https://a.b/c.mp4,,news,,\n",
            (HEADER_LINE + '\nx2adop,u1,"unterminated,,https://a.b/c.mp4,,news,,\n').encode(),
            (HEADER_LINE + "\nx2adop,u1,t,,https://a.b/c.mp4,,news,,,extra,cells\n").encode(),
            (HEADER_LINE + "\nx2adop,u1\n").encode(),
            (
                HEADER_LINE + '\nx2adop,u1,"' + "x" * 132_000 + '",,https://a.b/c.mp4,,news,,\n'
            ).encode(),
            (HEADER_LINE + "\nx2adop,u1,t,,https://a.b/c.mp4,,news,,\n" + "\x00" * 10).encode(),
            b"owner;uid;title\nx2adop;u1;t\n",
            b"<?xml version='1.0'?><rss/>",
            b'{"owner": "x2adop"}\n',
        ]
    ),
)


@settings(max_examples=examples(100))
@given(data=ODD_FILES)
def test_any_file_gets_a_report_or_a_clear_error_never_a_5xx(
    client, staff_client, adopted_creator, data
):
    with rolled_back():
        response = upload(staff_client, data)
        assert response.status_code == 200
        report = response.context["report"]
        form_errors = response.context["form"].errors
        if report is None:
            assert form_errors.get("file"), "no report and no error"
            assert not Video.objects.exists(), "a refused file stored videos"
        else:
            assert report.loaded == Video.objects.count()
            assert all(e.message for e in report.errors)
        feed_titles(client)  # still well-formed


@settings(max_examples=examples(30))
@given(rows=st.lists(hostile_row(), min_size=1, max_size=4))
def test_json_lines_get_the_same_care(client, staff_client, adopted_creator, rows):
    import json

    # Python's json reads lone surrogates and NUL escapes, which no page or column can carry.
    odd = [
        '{"owner": "x2adop", "uid": "\\ud800", "title": "\\udfff", "channel": "\\ud800"}',
        '{"owner": "x2adop\\u0000", "uid": "a\\u0000", "tags": ["\\u0000"], "duration": 1e999}',
    ]
    lines = [json.dumps(r) for r in rows] + ["not json", "[1,2]", *odd]
    with rolled_back():
        response = upload(staff_client, "\n".join(lines).encode(), name="catalog.jsonl")
        assert response.status_code == 200
        report = response.context["report"]
        loaded, refused = expected_outcome(rows)
        assert report.error_count == refused + 4
        assert report.loaded == len(loaded)
        feed_titles(client)


@settings(max_examples=examples(40))
@given(data=ODD_FILES)
def test_a_big_file_queued_for_the_background_never_fails_either(
    client, staff_client, adopted_creator, settings, django_capture_on_commit_callbacks, data
):
    from ingestion.models import CatalogImport

    settings.CATALOG_IMPORT_INLINE_MAX_BYTES = 0  # every file takes the background path
    with rolled_back():
        with django_capture_on_commit_callbacks(execute=True):  # the task runs here
            response = upload(staff_client, data)
        assert response.status_code in (200, 302)
        if response.status_code == 200:
            assert response.context["form"].errors.get("file")
            assert not CatalogImport.objects.exists() and not Video.objects.exists()
        else:
            job = CatalogImport.objects.get()
            assert job.status in ("finished", "failed"), job.status
            assert job.status == "finished" or (job.error and not Video.objects.exists())
            assert staff_client.get(response["Location"]).status_code == 200
        feed_titles(client)
