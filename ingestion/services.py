"""Business actions of content ingestion: catalog import, feeds, callbacks, re-queue, upload."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
import math
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, Max, Q
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from accounts.models import Creator
from mcn_portal.lib import dailymotion as dm
from mcn_portal.lib.queue import enqueue_on_commit

from . import feeds
from .models import (
    CHANNEL_CODES,
    CallbackDelivery,
    CallbackEvent,
    CatalogImport,
    CrawlLog,
    Video,
)

log = logging.getLogger(__name__)

CSV_HEADER = (
    "owner",
    "uid",
    "title",
    "description",
    "video_url",
    "thumbnail_url",
    "channel",
    "tags",
    "published_at",
)
OPTIONAL_COLUMNS = ("language", "is_created_for_kids", "duration", "geoblocking")
# Dailymotion §7.2: description max 3000 characters (5000 for partners; we stay on the safe side).
DESCRIPTION_MAX = 3000
TITLE_MAX = 255  # no official limit found; the common validator (and our column) use 255
TAG_MAX = 150
TAGS_MAX = 50
MEDIA_SCHEMES = ("http", "https", "ftp", "ftps", "sftp")  # what the MRSS importer fetches (§8)
CRAWLS_WITHOUT_CALLBACK_WARNING = 5
UPSERT_FIELDS = [
    "title",
    "description",
    "video_url",
    "thumbnail_url",
    "channel",
    "tags",
    "published_at",
    "language",
    "is_created_for_kids",
    "duration",
    "geoblocking",
    "updated_at",
]
_TRUE = {"1", "true", "yes", "y", "t"}
_FALSE = {"", "0", "false", "no", "n", "f"}


# --- Catalog import ------------------------------------------------------------------------------
@dataclass
class RowError:
    line: int
    uid: str
    message: str


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    max_errors_kept: int = 1000

    @property
    def loaded(self) -> int:
        return self.created + self.updated

    def add_error(self, line: int, uid: str, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < self.max_errors_kept:
            # A refused uid may hold what no page or column carries (NUL, lone surrogates).
            self.errors.append(RowError(line, feeds.xml_text(uid)[:255], message))


class CatalogFileError(ValueError):
    """The file as a whole cannot be read (wrong header, not CSV/JSON Lines)."""


def _url_error(value: str, name: str, schemes: tuple[str, ...]) -> str | None:
    try:
        parts = urlsplit(value)
    except ValueError:  # e.g. "http://[broken": an unterminated IPv6 address
        parts = None
    if parts is None or feeds.xml_text(value) != value:
        return f"{name} {value[:80]!r} is not a valid URL"
    if parts.scheme not in schemes or not parts.netloc:
        return f"{name} must be an absolute {'/'.join(schemes)} URL, got {value[:80]!r}"
    if len(value) > 2000:
        return f"{name} is longer than 2000 characters"
    return None


def _parse_published(value: str) -> datetime | None:
    value = value.strip()
    if not value:
        return timezone.now()
    try:
        # Both return None for a malformed value but raise for a well-formed impossible one.
        parsed = parse_datetime(value)
        if parsed is None:
            day = parse_date(value)
            if day is None:
                return None
            parsed = datetime.combine(day, time())
        if timezone.is_naive(parsed):
            parsed = parsed.replace(tzinfo=UTC)
        parsed.astimezone(UTC)  # "0001-01-01T00:00+14:00" is before year 1 in UTC
    except (ValueError, OverflowError):
        return None
    return parsed


def _split_tags(value: object) -> list[str]:
    items = value if isinstance(value, list) else str(value or "").split(",")
    tags: list[str] = []
    for tag in items:
        tag = feeds.xml_text(str(tag)).strip()
        if tag and tag not in tags:
            tags.append(tag)
    return tags


def video_clean(raw: dict) -> tuple[dict, list[str]]:
    """Check a catalog row against Dailymotion's rules: cleaned fields and readable problems."""

    def text(name: str) -> str:
        value = raw.get(name)
        return "" if value is None else str(value).strip()

    problems: list[str] = []
    data: dict = {"owner": text("owner"), "uid": text("uid")}
    if not data["owner"]:
        problems.append("owner is empty: put the creator's Dailymotion user id (e.g. x2abc)")
    if not data["uid"]:
        problems.append("uid is empty: every video needs our stable id (it becomes the MRSS guid)")
    elif len(data["uid"]) > 255:
        problems.append("uid is longer than 255 characters")
    elif feeds.xml_text(data["uid"]) != data["uid"]:
        # The uid is the MRSS guid and Dailymotion's callbacks name it: it must survive XML as is.
        problems.append(f"uid {data['uid'][:80]!r} has control characters that XML cannot carry")
    if feeds.xml_text(data["owner"]) != data["owner"]:
        problems.append(f"owner {data['owner'][:80]!r} has control characters")
    data["title"] = feeds.xml_text(text("title"))
    if not data["title"]:
        problems.append("title is empty: Dailymotion requires a title")
    elif len(data["title"]) > TITLE_MAX:
        problems.append(f"title has {len(data['title'])} characters; keep it to {TITLE_MAX}")
    data["description"] = feeds.xml_text(text("description"))
    if len(data["description"]) > DESCRIPTION_MAX:
        problems.append(
            f"description has {len(data['description'])} characters; Dailymotion accepts "
            f"{DESCRIPTION_MAX}"
        )
    data["video_url"] = text("video_url")
    if not data["video_url"]:
        problems.append("video_url is empty: Dailymotion needs a direct link to the media file")
    elif error := _url_error(data["video_url"], "video_url", MEDIA_SCHEMES):
        problems.append(error)
    data["thumbnail_url"] = text("thumbnail_url")
    if data["thumbnail_url"] and (
        error := _url_error(data["thumbnail_url"], "thumbnail_url", ("http", "https"))
    ):
        problems.append(error)
    data["channel"] = text("channel").lower()
    if not data["channel"]:
        problems.append("channel is empty: Dailymotion requires one (e.g. news, music, sport)")
    elif data["channel"] not in CHANNEL_CODES:
        problems.append(
            f"channel {data['channel']!r} is not a Dailymotion channel; use one of "
            + ", ".join(sorted(CHANNEL_CODES))
        )
    data["tags"] = _split_tags(raw.get("tags"))
    if len(data["tags"]) > TAGS_MAX:
        problems.append(f"{len(data['tags'])} tags; keep it to {TAGS_MAX}")
    long_tags = [t for t in data["tags"] if len(t) > TAG_MAX]
    if long_tags:
        problems.append(f"tag {long_tags[0][:40]!r}… is longer than {TAG_MAX} characters")
    published = _parse_published(text("published_at"))
    if published is None:
        problems.append(
            f"published_at {text('published_at')!r} is not a date; use ISO 8601 "
            "(2024-05-01 or 2024-05-01T12:00:00Z)"
        )
    data["published_at"] = published
    data["language"] = text("language").lower()
    if data["language"] and not (len(data["language"]) == 2 and data["language"].isalpha()):
        problems.append(f"language {data['language']!r} must be a two-letter code such as en, fr")
    kids = raw.get("is_created_for_kids")
    if isinstance(kids, bool):
        data["is_created_for_kids"] = kids
    elif str(kids or "").strip().lower() in _TRUE | _FALSE:
        data["is_created_for_kids"] = str(kids or "").strip().lower() in _TRUE
    else:
        problems.append(f"is_created_for_kids {kids!r} must be true or false")
    duration = text("duration")
    data["duration"] = None
    if duration:
        # isdigit() alone accepts "²", which int() refuses; the column holds 2**31 - 1 at most.
        if duration.isascii() and duration.isdigit() and int(duration) < 2**31:
            data["duration"] = int(duration)
        else:
            problems.append(f"duration {duration!r} must be a whole number of seconds")
    data["geoblocking"] = feeds.xml_text(text("geoblocking")).lower()
    if data["geoblocking"] and data["geoblocking"].split()[0] not in ("allow", "deny"):
        problems.append("geoblocking must read 'allow fr us' or 'deny de' (a list of countries)")
    return data, problems


def _csv_rows(stream) -> Iterator[tuple[int, dict]]:
    reader = csv.DictReader(stream)
    try:
        header = [h.strip().lower() for h in (reader.fieldnames or [])]
    except csv.Error as exc:
        raise CatalogFileError(f"the CSV header cannot be read ({exc})") from exc
    missing = [h for h in CSV_HEADER if h not in header]
    if missing:
        raise CatalogFileError(
            "The CSV header lacks "
            + ", ".join(missing)
            + "; it must start with "
            + ",".join(CSV_HEADER)
        )
    reader.fieldnames = header
    line = 2
    try:
        for row in reader:
            yield line, row
            line = reader.line_num + 1
    except csv.Error as exc:  # e.g. a field over csv.field_size_limit(): nothing after it is sure
        raise CatalogFileError(f"line {line}: the CSV cannot be read further ({exc})") from exc


def _jsonl_rows(stream) -> Iterator[tuple[int, dict]]:
    for line, text in enumerate(stream, start=1):
        if not text.strip():
            continue
        try:
            row = json.loads(text)
        except ValueError as exc:
            row = {"__error__": f"not valid JSON: {exc}"}
        if not isinstance(row, dict):
            row = {"__error__": "each line must be a JSON object"}
        yield line, row


def catalog_rows(file, *, fmt: str = "csv") -> Iterator[tuple[int, dict]]:
    """(line number, raw row) pairs read lazily from a text or binary file."""
    if isinstance(file, io.TextIOBase) or hasattr(file, "encoding"):  # text mode (or a wrapper)
        stream = file
    else:
        stream = io.TextIOWrapper(file, encoding="utf-8-sig", newline="")
    return _jsonl_rows(stream) if fmt == "jsonl" else _csv_rows(stream)


def _upsert_batch(batch: list[tuple[int, dict]], owners: dict[str, int | None], report) -> None:
    unknown = {data["owner"] for _, data in batch} - owners.keys()
    if unknown:
        found = dict(
            Creator.objects.filter(dailymotion_id__in=unknown).values_list("dailymotion_id", "id")
        )
        owners.update({owner: found.get(owner) for owner in unknown})
    videos: dict[tuple[int, str], Video] = {}
    now = timezone.now()
    for line, data in batch:
        creator_id = owners[data["owner"]]
        if creator_id is None:
            report.add_error(
                line,
                data["uid"],
                f"owner {data['owner']!r} is not a creator of the portal (they must connect first)",
            )
            continue
        fields = {k: v for k, v in data.items() if k != "owner"}
        # The last row wins when a file repeats (owner, uid); one upsert may not touch a row twice.
        videos[(creator_id, data["uid"])] = Video(creator_id=creator_id, updated_at=now, **fields)
    if not videos:
        return
    # uid__in + creator_id__in may over-select across creators; intersect the pairs in Python.
    already = len(
        videos.keys()
        & set(
            Video.objects.filter(
                uid__in={uid for _, uid in videos}, creator_id__in={c for c, _ in videos}
            ).values_list("creator_id", "uid")
        )
    )
    Video.objects.bulk_create(
        list(videos.values()),
        update_conflicts=True,
        unique_fields=["creator", "uid"],
        update_fields=UPSERT_FIELDS,
    )
    report.updated += already
    report.created += len(videos) - already


def catalog_import(
    *,
    file=None,
    rows: Iterable[tuple[int, dict]] | None = None,
    fmt: str = "csv",
    batch_size: int = 1000,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Load catalog rows (streamed, in batches), upserting by (owner, uid); report bad rows."""
    report = ImportReport()
    source = rows if rows is not None else catalog_rows(file, fmt=fmt)
    owners: dict[str, int | None] = {}
    batch: list[tuple[int, dict]] = []
    for line, raw in source:
        report.rows += 1
        if "__error__" in raw:
            report.add_error(line, "", raw["__error__"])
            continue
        data, problems = video_clean(raw)
        if problems:
            report.add_error(line, data["uid"], "; ".join(problems))
        else:
            batch.append((line, data))
        if len(batch) >= batch_size:
            _upsert_batch(batch, owners, report)
            batch = []
        if progress and report.rows % batch_size == 0:
            progress(batch_size)
    if batch:
        _upsert_batch(batch, owners, report)
    if progress and report.rows % batch_size:
        progress(report.rows % batch_size)
    report.errors.sort(key=lambda error: error.line)
    log.info(
        "catalog import: %s rows, %s created, %s updated, %s bad",
        report.rows,
        report.created,
        report.updated,
        report.error_count,
    )
    return report


def catalog_import_start(
    *, text: str, filename: str, fmt: str, size: int, by=None
) -> CatalogImport:
    """Keep the file and queue its import; the job's page follows the task's progress."""
    if "\x00" in text:
        # No PostgreSQL text holds NUL; a "CSV" full of them is UTF-16 or a spreadsheet anyway.
        raise CatalogFileError(
            "The file contains NUL bytes: save it as CSV (UTF-8) or JSON Lines and upload again"
        )
    job = CatalogImport.objects.create(
        filename=filename[:255],
        fmt=fmt,
        content=text,
        size=size,
        total=max(text.count("\n") - (fmt == "csv"), 1),
        created_by=by,
    )
    from .tasks import import_catalog

    enqueue_on_commit(import_catalog, job.pk)
    log.info("catalog import %s queued: %s (%s bytes)", job.pk, job.filename, size)
    return job


def catalog_import_run(*, job_id: int) -> CatalogImport:
    """Import a queued file, counting rows as they go; a re-run (after a kill) starts over."""
    with transaction.atomic():
        job = CatalogImport.objects.select_for_update().get(pk=job_id)
        if not job.active:
            return job
        job.status, job.rows = CatalogImport.Status.RUNNING, 0
        job.save(update_fields=["status", "rows"])

    def progress(rows: int) -> None:
        CatalogImport.objects.filter(pk=job_id).update(rows=F("rows") + rows)

    try:
        report = catalog_import(
            file=io.StringIO(job.content, newline=""), fmt=job.fmt, progress=progress
        )
    except CatalogFileError as exc:
        job.status, job.error = CatalogImport.Status.FAILED, str(exc)
    except Exception:
        # Time limit or a database error: say so on the page instead of "running" forever.
        CatalogImport.objects.filter(pk=job_id).update(
            status=CatalogImport.Status.FAILED,
            error="The import stopped on an internal error; the rows read so far are in the "
            "catalog. Upload the file again to finish it (nothing is duplicated).",
            finished_at=timezone.now(),
        )
        raise
    else:
        job.status = CatalogImport.Status.FINISHED
        job.rows, job.created, job.updated = report.rows, report.created, report.updated
        job.error_count = report.error_count
        job.errors = [vars(error) for error in report.errors]
        job.content = ""  # the videos are in the catalog now; the report says what was refused
    job.finished_at = timezone.now()
    job.save()
    return job


# --- Crawler endpoints ---------------------------------------------------------------------------
def syndicated_creators():
    return Creator.objects.filter(status=Creator.Status.ADOPTED, syndication_enabled=True)


def users_build(
    *,
    base_url: str | None = None,
    token: str | None = None,
    on_done: Callable[[int], None] | None = None,
) -> Iterator[bytes]:
    """The user list as streamed JSON: one query, read with a database iterator."""
    served = 0

    def ids() -> Iterator[str]:
        nonlocal served
        for dailymotion_id in (
            syndicated_creators()
            .order_by("id")
            .values_list("dailymotion_id", flat=True)
            .iterator(chunk_size=2000)
        ):
            served += 1
            yield dailymotion_id

    try:
        yield from feeds.users_stream(
            ids=ids(),
            base_url=base_url or settings.PUBLIC_BASE_URL,
            token=token or settings.SYNDICATION_TOKENS[0],
        )
    finally:
        if on_done:
            on_done(served)


def creator_syndication_set(*, creator: Creator, enabled: bool, by=None) -> None:
    """Switch a creator's syndication; touching updated_at changes the feed's ETag."""
    Creator.objects.filter(pk=creator.pk).update(
        syndication_enabled=enabled, updated_at=timezone.now()
    )
    creator.syndication_enabled = enabled
    log.info("syndication %s for creator %s by %s", enabled, creator.pk, getattr(by, "pk", None))


def feed_videos(creator: Creator):
    return Video.objects.filter(creator=creator, state=Video.State.QUEUED).order_by("id")


@dataclass(frozen=True)
class FeedVersion:
    count: int
    etag: str
    last_modified: datetime


def feed_version(*, creator: Creator) -> FeedVersion:
    """A cheap fingerprint of the feed (one aggregate query) for ETag and Last-Modified."""
    stats = feed_videos(creator).aggregate(n=Count("id"), latest=Max("updated_at"))
    latest = max(filter(None, [stats["latest"], creator.updated_at]))
    seed = f"{creator.pk}:{stats['n']}:{stats['latest']}:{creator.updated_at}"
    etag = '"' + hashlib.sha256(seed.encode()).hexdigest()[:32] + '"'
    return FeedVersion(count=stats["n"], etag=etag, last_modified=latest)


def feed_build(*, creator: Creator, chunk_size: int = 500) -> Iterator[bytes]:
    """The creator's MRSS of queued videos, streamed from a database iterator."""
    return feeds.feed_stream(
        creator=creator,
        videos=feed_videos(creator).iterator(chunk_size=chunk_size),
        link=f"{settings.PUBLIC_BASE_URL}/",
    )


def crawl_record(
    *, endpoint: str, status: int, creator: Creator | None = None, items: int = 0
) -> None:
    """Log one crawler fetch; a served feed also counts as one more crawl of each queued video."""
    now = timezone.now()
    CrawlLog.objects.create(endpoint=endpoint, creator=creator, status=status, items=items, at=now)
    if creator is not None and status == 200 and items:
        # .update() leaves updated_at alone, so counting crawls does not change the ETag.
        feed_videos(creator).update(crawl_count=F("crawl_count") + 1, last_crawled_at=now)


def creator_last_crawl(creator: Creator) -> CrawlLog | None:
    return (
        CrawlLog.objects.filter(creator=creator, endpoint=CrawlLog.Endpoint.FEED)
        .order_by("-at", "-id")
        .first()
    )


def _daily_counts(queryset, *, date_field: str, key_field: str, since: datetime) -> dict:
    rows = (
        queryset.filter(**{f"{date_field}__gte": since})
        .annotate(day=TruncDate(date_field, tzinfo=UTC))
        .values("day", key_field)
        .annotate(n=Count("id"))
    )
    counts: dict = defaultdict(dict)
    for row in rows:
        counts[row["day"]][row[key_field]] = row["n"]
    return counts


def _last_days(days: int, today: date | None) -> tuple[list[date], datetime]:
    today = today or timezone.now().astimezone(UTC).date()
    all_days = [today - timedelta(days=days - 1 - i) for i in range(days)]
    return all_days, datetime.combine(all_days[0], time.min, tzinfo=UTC)


def callback_activity(*, days: int = 30, today: date | None = None) -> list[tuple[date, dict]]:
    """Callback events per UTC day over the last `days` days: imported, failed, other.

    One GROUP BY query whatever the volume; days with nothing are zeros, so the bars line up.
    """
    all_days, since = _last_days(days, today)
    counts = _daily_counts(
        CallbackEvent.objects.all(), date_field="received_at", key_field="outcome", since=since
    )
    imported, failed = CallbackEvent.Outcome.IMPORTED, CallbackEvent.Outcome.FAILED
    series = []
    for day in all_days:
        by_outcome = counts.get(day, {})
        other = sum(n for outcome, n in by_outcome.items() if outcome not in (imported, failed))
        values = {"imported": by_outcome.get(imported, 0), "failed": by_outcome.get(failed, 0)}
        series.append((day, {**values, "other": other}))
    return series


def crawl_activity(*, days: int = 30, today: date | None = None) -> list[tuple[date, dict]]:
    """Crawler fetches per UTC day over the last `days` days: feeds and the user list."""
    all_days, since = _last_days(days, today)
    counts = _daily_counts(
        CrawlLog.objects.all(), date_field="at", key_field="endpoint", since=since
    )
    return [
        (
            day,
            {
                "feed": counts.get(day, {}).get("feed", 0),
                "users": counts.get(day, {}).get("users", 0),
            },
        )
        for day in all_days
    ]


# --- Callbacks -----------------------------------------------------------------------------------
class CallbackInvalid(ValueError):
    """The callback body is not a JSON array of well-formed events."""


# Python's json reads what no column stores: NUL (PostgreSQL text and jsonb refuse it) and lone
# surrogates (not encodable as UTF-8); NaN and Infinity, which jsonb refuses, are refused at parse.
_UNSTORABLE_TEXT = re.compile("[\x00\ud800-\udfff]")
EVENT_MAX_DEPTH = 32
BIGINT = 2**63


def _json_constant(name: str) -> float:
    raise ValueError(f"{name} is not a JSON number")


def _json_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"number {text[:40]} is out of range")
    return value


def _unstorable(value: object) -> str | None:
    """Why a parsed JSON value cannot be stored as it is, or None (iterative: no recursion)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > EVENT_MAX_DEPTH:
            return f"is nested deeper than {EVENT_MAX_DEPTH} levels"
        if isinstance(item, str) and _UNSTORABLE_TEXT.search(item):
            return "contains a NUL character (\\u0000) or a lone surrogate (\\ud800-\\udfff)"
        if isinstance(item, dict):
            stack.extend((key, depth) for key in item)
            stack.extend((child, depth + 1) for child in item.values())
        elif isinstance(item, list):
            stack.extend((child, depth + 1) for child in item)
    return None


def event_key(event: dict) -> str:
    """Dedupe key: Dailymotion sends no event id, so the event's canonical JSON identifies it."""
    canonical = json.dumps(event, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _validate_event(index: int, event: object) -> str | None:
    where = f"event {index}"
    if not isinstance(event, dict):
        return f"{where} is not a JSON object"
    ts = event.get("timestamp")
    if isinstance(ts, bool) or not isinstance(ts, int):
        return f"{where}: timestamp must be an integer (milliseconds)"
    if not -BIGINT <= ts < BIGINT:
        return f"{where}: timestamp {ts} is out of range (milliseconds since 1970)"
    if not isinstance(event.get("type"), str) or not event["type"]:
        return f"{where}: type must be a non-empty string"
    data = event.get("data")
    if not isinstance(data, dict):
        return f"{where}: data must be an object"
    uid = data.get("uid")
    if isinstance(uid, bool) or not isinstance(uid, str | int) or not str(uid).strip():
        return f"{where}: data.uid must be a non-empty string"
    if not isinstance(data.get("status"), str) or not data["status"]:
        return f"{where}: data.status must be a non-empty string"
    if data["status"] == "ready" and (
        not isinstance(data.get("remote_id"), str) or not data["remote_id"]
    ):
        return f"{where}: a ready event needs data.remote_id"
    if problem := _unstorable(event):
        return f"{where} {problem}"
    return None


def callback_parse(body: bytes) -> list[dict]:
    """The events of a callback body, or CallbackInvalid naming the problem."""
    try:
        events = json.loads(
            body.decode("utf-8"), parse_constant=_json_constant, parse_float=_json_float
        )
    except UnicodeDecodeError as exc:
        raise CallbackInvalid("body is not UTF-8") from exc
    except ValueError as exc:
        raise CallbackInvalid(f"body is not valid JSON: {exc}") from exc
    except RecursionError as exc:
        raise CallbackInvalid("body is not valid JSON: it is nested too deeply") from exc
    if not isinstance(events, list):
        raise CallbackInvalid("body must be a JSON array of events")
    for index, event in enumerate(events):
        if problem := _validate_event(index, event):
            raise CallbackInvalid(problem)
    return events


@dataclass
class CallbackResult:
    delivery: CallbackDelivery
    summary: dict


def callback_store_oversized(*, size: int, headers: dict) -> CallbackDelivery:
    """Keep a trace of a body we refused for its size (the body itself is not read)."""
    return CallbackDelivery.objects.create(
        body="",
        body_bytes=min(size, 2**31 - 1),  # a declared Content-Length can be any number
        headers=headers,
        status=CallbackDelivery.Status.INVALID,
        error=f"body of {size} bytes is over the {settings.CALLBACK_MAX_BYTES} bytes limit",
    )


def callback_record(*, body: bytes, headers: dict) -> CallbackResult:
    """Store the raw delivery, then its events (each once, ever), then apply them to videos."""
    # Kept as text: bytes that are not UTF-8, and NUL (no PostgreSQL text holds it), become U+FFFD.
    text = body.decode("utf-8", errors="replace").replace("\x00", "\ufffd")
    delivery = CallbackDelivery.objects.create(body=text, body_bytes=len(body), headers=headers)
    try:
        events = callback_parse(body)
    except CallbackInvalid as exc:
        delivery.status, delivery.error = CallbackDelivery.Status.INVALID, str(exc)
        delivery.save(update_fields=["status", "error"])
        raise
    rows: dict[str, CallbackEvent] = {}
    for event in events:
        key = event_key(event)
        data = event["data"]
        rows.setdefault(
            key,
            CallbackEvent(
                delivery=delivery,
                dedupe_key=key,
                payload=event,
                event_type=event["type"][:100],
                status=data["status"][:50],
                uid=str(data["uid"]).strip()[:255],
                remote_id=str(data.get("remote_id") or "")[:32],
                timestamp=event["timestamp"],
                received_at=delivery.received_at,
            ),
        )
    # The unique key decides which delivery owns an event, also when two deliveries race:
    # ON CONFLICT DO NOTHING, then we process only the rows that ended up ours.
    CallbackEvent.objects.bulk_create(list(rows.values()), ignore_conflicts=True, batch_size=500)
    # Ours, plus earlier deliveries' events that were stored but never applied (their processing
    # died, e.g. the database restarted): the sender's retry is what finishes them.
    mine = list(
        CallbackEvent.objects.filter(dedupe_key__in=list(rows))
        .filter(Q(delivery=delivery) | Q(outcome=CallbackEvent.Outcome.PENDING))
        .order_by("timestamp", "id")
    )
    new = sum(event.delivery_id == delivery.pk for event in mine)
    summary = {"received": len(events), "new": new, "duplicates": len(events) - new}
    try:
        summary.update(callbacks_process(events=mine))
    except Exception as exc:
        log.exception("callback delivery %s could not be processed", delivery.pk)
        delivery.status, delivery.error = CallbackDelivery.Status.ERROR, repr(exc)[:2000]
        delivery.summary = summary
        delivery.save(update_fields=["status", "error", "summary"])
        summary.update({"matched": 0, "unmatched": 0, "failed": 0, "error": "processing failed"})
        return CallbackResult(delivery, summary)
    delivery.status, delivery.summary = CallbackDelivery.Status.PROCESSED, summary
    delivery.save(update_fields=["status", "summary"])
    return CallbackResult(delivery, summary)


def _pick_video(event: CallbackEvent, candidates: list[Video]) -> tuple[Video | None, str]:
    """Match by uid; when several creators share it, prefer the one whose video awaits import."""
    if len(candidates) == 1:
        return candidates[0], ""
    if not candidates:
        return None, CallbackEvent.Outcome.UNMATCHED
    waiting = [v for v in candidates if v.state in (Video.State.QUEUED, Video.State.UPLOADING)]
    if len(waiting) == 1:
        return waiting[0], ""
    same_remote = [v for v in candidates if event.remote_id and v.remote_id == event.remote_id]
    if len(same_remote) == 1:
        return same_remote[0], ""
    return None, CallbackEvent.Outcome.AMBIGUOUS


def _apply(event: CallbackEvent, video: Video, now: datetime) -> bool:
    """Apply one event to its video in memory; True when the video changed."""
    ready = event.status == "ready"
    if video.state in (Video.State.UPLOADING, Video.State.UPLOADED):
        event.outcome = CallbackEvent.Outcome.IGNORED
        event.note = (
            "The video was uploaded directly by staff; this import "
            f"({event.remote_id or 'failed'}) may be a duplicate on Dailymotion."
        )
        return False
    if video.state_event_ts is not None and event.timestamp <= video.state_event_ts:
        if event.timestamp == video.state_event_ts:
            event.outcome = (
                CallbackEvent.Outcome.IMPORTED if ready else CallbackEvent.Outcome.FAILED
            )
            event.note = "Already applied."
        else:
            event.outcome = CallbackEvent.Outcome.STALE
            event.note = "A newer event already decided this video's state."
        return False
    video.state_event_ts = event.timestamp
    video.callback_at = now
    video.updated_at = now
    if ready:
        video.state = Video.State.IMPORTED
        video.remote_id = event.remote_id
        video.done_at = now
        video.failure_reason = ""
        video.failure_event = None
        event.outcome = CallbackEvent.Outcome.IMPORTED
    else:
        data = event.payload.get("data", {})
        video.state = Video.State.FAILED
        video.failure_reason = str(data.get("error") or data.get("status") or event.event_type)
        video.failure_event = event.payload
        event.outcome = CallbackEvent.Outcome.FAILED
    return True


VIDEO_EVENT_FIELDS = [
    "state",
    "remote_id",
    "done_at",
    "failure_reason",
    "failure_event",
    "state_event_ts",
    "callback_at",
    "updated_at",
]


def callbacks_process(*, events: list[CallbackEvent]) -> dict:
    """Apply stored events to their videos, oldest first, in one transaction (videos locked)."""
    summary = {"matched": 0, "unmatched": 0, "failed": 0}
    if not events:
        return summary
    now = timezone.now()
    with transaction.atomic():
        uids = sorted({e.uid for e in events})
        by_uid: dict[str, list[Video]] = defaultdict(list)
        for start in range(0, len(uids), 500):
            for video in (
                Video.objects.select_for_update()
                .filter(uid__in=uids[start : start + 500])
                .order_by("id")
            ):
                by_uid[video.uid].append(video)
        changed: dict[int, Video] = {}
        for event in sorted(events, key=lambda e: (e.timestamp, e.pk or 0)):
            event.processed_at = now
            event.note = ""
            video, outcome = _pick_video(event, by_uid.get(event.uid, []))
            event.video = video
            if video is None:
                event.outcome = outcome
                event.note = (
                    "No video has this uid."
                    if outcome == CallbackEvent.Outcome.UNMATCHED
                    else "Several creators have a video with this uid and none is waiting alone."
                )
                summary["unmatched"] += 1
                continue
            summary["matched"] += 1
            if event.status != "ready":
                summary["failed"] += 1
            if _apply(event, video, now):
                changed[video.pk] = video
        Video.objects.bulk_update(list(changed.values()), VIDEO_EVENT_FIELDS, batch_size=500)
        CallbackEvent.objects.bulk_update(
            events, ["video", "outcome", "note", "processed_at"], batch_size=500
        )
    return summary


def callback_process(*, callback: CallbackEvent) -> str:
    """Apply (or replay) one stored event; returns its outcome."""
    callbacks_process(events=[callback])
    return callback.outcome


def callbacks_reprocess(*, failed: bool = False, batch_size: int = 500) -> Iterator[dict]:
    """Replay stored events that had no effect (unknown uid, pending), or the failed ones."""
    outcomes = (
        [CallbackEvent.Outcome.FAILED]
        if failed
        else [
            CallbackEvent.Outcome.PENDING,
            CallbackEvent.Outcome.UNMATCHED,
            CallbackEvent.Outcome.AMBIGUOUS,
        ]
    )
    ids = list(
        CallbackEvent.objects.filter(outcome__in=outcomes)
        .order_by("timestamp", "id")
        .values_list("id", flat=True)
    )
    for start in range(0, len(ids), batch_size):
        events = list(CallbackEvent.objects.filter(id__in=ids[start : start + batch_size]))
        summary = callbacks_process(events=events)
        summary["events"] = len(events)
        yield summary


# --- Staff actions -------------------------------------------------------------------------------
class VideoActionRefused(Exception):
    """The action does not apply to the video in its current state; the message says why."""


def video_requeue(*, video: Video, by=None) -> Video:
    """Put a failed video back in its creator's feed."""
    with transaction.atomic():
        video = Video.objects.select_for_update().get(pk=video.pk)
        if video.state != Video.State.FAILED:
            raise VideoActionRefused(
                f"“{video.title}” is {video.get_state_display().lower()}; only failed videos "
                "can be put back in the feed."
            )
        video.state = Video.State.QUEUED
        video.queued_at = timezone.now()
        video.crawl_count = 0
        video.last_crawled_at = None
        video.upload_error = ""
        video.save()
    log.info("video %s re-queued by %s", video.pk, getattr(by, "pk", None))
    return video


def video_upload_request(*, video: Video, by=None) -> Video:
    """Claim the video for a direct upload (out of the feed at once), then queue the upload task."""
    from . import tasks

    with transaction.atomic():
        video = Video.objects.select_for_update().get(pk=video.pk)
        if video.state not in (Video.State.QUEUED, Video.State.FAILED):
            raise VideoActionRefused(
                f"“{video.title}” is {video.get_state_display().lower()}; only queued or "
                "failed videos can be uploaded."
            )
        video.state = Video.State.UPLOADING
        video.upload_error = ""
        video.upload_started_at = None
        video.save()
        video_id = video.pk
        enqueue_on_commit(tasks.upload_video, video_id)
    log.info("video %s upload requested by %s", video.pk, getattr(by, "pk", None))
    return video


def upload_refusal_text(exc: dm.DailymotionError) -> str:
    """Dailymotion's refusal in words a staff member can act on."""
    message = exc.message or str(exc)
    if isinstance(exc, dm.AccessForbidden):
        return (
            f"Dailymotion refused the upload: {message}. Standard accounts may upload at most "
            "15 videos or 10 hours of video a day; try again tomorrow or ask the content "
            "manager to raise the quota."
        )
    if isinstance(exc, dm.ReconnectRequired | dm.InvalidToken):
        return f"The network's Dailymotion account must be connected again: {message}"
    if isinstance(exc, dm.InvalidParameter):
        return (
            f"Dailymotion rejected the video's details: {message}. Fix the catalog row and retry."
        )
    if isinstance(exc, dm.RateLimited):
        return f"Dailymotion asks us to slow down: {message}. Retry in a few minutes."
    if isinstance(exc, dm.DailymotionUnavailable):
        return (
            f"Dailymotion did not answer ({message}); the video may or may not have been created. "
            "Check the creator's videos on Dailymotion before retrying."
        )
    return f"Dailymotion refused the upload: {message}"


UPLOAD_STALE_AFTER = timedelta(minutes=30)
UPLOAD_INTERRUPTED = (
    "The upload was interrupted (the worker stopped mid-call); the video may or may not have "
    "been created. Check the creator's videos on Dailymotion before retrying."
)


def _uploads_interrupted(videos) -> int:
    """Attempts that began and never recorded an outcome: failed, outcome unknown, not retried."""
    count = videos.filter(state=Video.State.UPLOADING).update(
        state=Video.State.FAILED,
        upload_error=UPLOAD_INTERRUPTED,
        failure_reason="Direct upload outcome unknown",
        updated_at=timezone.now(),
    )
    if count:
        log.warning("%s direct upload(s) interrupted; outcome unknown", count)
    return count


def uploads_recover(*, now: datetime | None = None) -> dict[str, int]:
    """Videos left "uploading": re-queue the task if no call began, else fail them as unknown.

    The upload task's hard time limit is minutes, so an attempt older than UPLOAD_STALE_AFTER is
    dead; a claim whose task never started (a lost message) is safe to send again.
    """
    from . import tasks

    now = now or timezone.now()
    stale = now - UPLOAD_STALE_AFTER
    uploading = Video.objects.filter(state=Video.State.UPLOADING)
    interrupted = _uploads_interrupted(uploading.filter(upload_started_at__lt=stale))
    lost = list(
        uploading.filter(upload_started_at__isnull=True, updated_at__lt=stale).values_list(
            "pk", flat=True
        )
    )
    Video.objects.filter(pk__in=lost).update(updated_at=now)  # not resent again next sweep
    for video_id in lost:
        enqueue_on_commit(tasks.upload_video, video_id)
    resent = len(lost)
    if interrupted or resent:
        log.warning("uploads recovered: %s interrupted, %s sent again", interrupted, resent)
    return {"interrupted": interrupted, "resent": resent}


def video_upload(*, video_id: int) -> Video:
    """POST the claimed video to /user/<creator>/videos with the parent's token (guide: upload)."""
    from accounts import tokens

    video = Video.objects.select_related("creator").get(pk=video_id)
    if video.state != Video.State.UPLOADING:
        return video  # not claimed (or a repeated task): never upload twice
    # Mark the attempt before the call: a task redelivered after a killed worker then knows an
    # earlier call may have created the video, and asks a person to check rather than upload twice.
    started = Video.objects.filter(
        pk=video.pk, state=Video.State.UPLOADING, upload_started_at__isnull=True
    ).update(upload_started_at=timezone.now())
    if not started:
        _uploads_interrupted(Video.objects.filter(pk=video.pk))
        video.refresh_from_db()
        return video
    try:
        client = tokens.client_for_parent()
        created = client.create_video(
            video.creator.dailymotion_id,
            url=video.video_url,
            title=video.title,
            channel=video.channel,
            published=True,
            is_created_for_kids=video.is_created_for_kids,
            description=video.description,
            tags=video.tags,
            language=video.language,
        )
    except dm.DailymotionError as exc:
        unknown = isinstance(exc, dm.DailymotionUnavailable)
        video.upload_error = upload_refusal_text(exc)
        # A refused upload returns the video where it was; an unknown outcome must be checked first.
        video.state = Video.State.FAILED if unknown or video.failure_reason else Video.State.QUEUED
        if unknown and not video.failure_reason:
            video.failure_reason = "Direct upload outcome unknown"
        video.save(update_fields=["state", "upload_error", "failure_reason", "updated_at"])
        log.warning("upload of video %s refused: %s", video.pk, exc.message)
        return video
    now = timezone.now()
    video.state = Video.State.UPLOADED
    video.remote_id = created.id
    video.done_at = now
    video.failure_reason = ""
    video.save(update_fields=["state", "remote_id", "done_at", "failure_reason", "updated_at"])
    return video
