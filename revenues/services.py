"""Revenue polling, the derived daily ledger, revenue shares, reports and statements."""

from __future__ import annotations

import calendar
import logging
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, DecimalField, F, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, TruncMonth, TruncWeek
from django.utils import timezone

from accounts.models import Creator
from mcn_portal.lib.dailymotion import (
    REVENUE_FIELDS,
    AccessForbidden,
    DailymotionClient,
    DailymotionError,
    DailymotionUser,
    InvalidToken,
    NotFound,
    ReconnectRequired,
)
from mcn_portal.lib.queue import enqueue_on_commit

from .models import (
    SOURCES,
    CreatorRevenueState,
    DailyEarning,
    PollRun,
    RevenueShare,
    RevenueSnapshot,
)

logger = logging.getLogger(__name__)

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
LOCK_KEY = "revenues:poll-lock"
BATCH_SIZE = 200  # children written (and progress reported) per transaction
USERS_PER_CALL = 100  # Dailymotion's maximum page size, also for ?ids=
MAX_CONSECUTIVE_FAILURES = 5
PERIODS = ("last_day", "last_week", "last_month", "total")
MONEY = DecimalField(max_digits=14, decimal_places=2)
AMOUNT_KEYS = (*SOURCES, "gross", "creator_share", "network_share")

Progress = Callable[[int, int], None]


class PollInProgress(Exception):
    """Another revenue poll holds the lock; this one did nothing."""


def default_share_percent() -> Decimal:
    """The creator's share when staff never set one."""
    return Decimal(str(getattr(settings, "REVENUE_DEFAULT_SHARE_PERCENT", "70")))


def _time_limit() -> timedelta:
    return timedelta(seconds=getattr(settings, "CELERY_TASK_TIME_LIMIT", 1800))


def _parent_client() -> DailymotionClient:
    # Imported late so tests can patch accounts.tokens.client_for_parent.
    from accounts import tokens

    return tokens.client_for_parent()


def _parent_id() -> str:
    return settings.DAILYMOTION_PARENT_ID or getattr(settings, "SANDBOX_PARENT_ID", "")


# --- Poll runs -------------------------------------------------------------------------------
def poll_runs_abandon_stale(*, now: datetime | None = None) -> int:
    """Mark runs whose worker stopped reporting for longer than the task time limit as abandoned."""
    now = now or timezone.now()
    return PollRun.objects.filter(
        status__in=PollRun.ACTIVE, heartbeat_at__lt=now - _time_limit()
    ).update(status=PollRun.Status.ABANDONED, finished_at=now)


def _lock_call(method: str, *args):
    """A cache call for the poll lock; an unreachable cache (Redis down) answers None."""
    try:
        return getattr(cache, method)(*args)
    except Exception:  # the database check below still guards against two polls
        logger.warning("poll lock: cache unreachable, relying on the database check")
        return None


def _lock_add(token: str, timeout: int) -> bool:
    added = _lock_call("add", LOCK_KEY, token, timeout)
    return added is None or bool(added)


def poll_run_active() -> PollRun | None:
    """The poll that is running or queued now, if any."""
    poll_runs_abandon_stale()
    return PollRun.objects.filter(status__in=PollRun.ACTIVE).order_by("-created_at").first()


def poll_run_start(*, trigger: str = "staff", user=None) -> PollRun:
    """Queue a poll (the "Poll now" button); raises PollInProgress when one is queued or running."""
    from .tasks import poll_revenues

    with transaction.atomic():
        if poll_run_active() is not None:
            raise PollInProgress("A revenue poll is already queued or running.")
        run = PollRun.objects.create(trigger=trigger, requested_by=user)
        enqueue_on_commit(poll_revenues, run_id=run.pk)
    return run


def revenues_poll(
    *,
    run: PollRun | None = None,
    progress: Progress | None = None,
    trigger: str = "command",
    task_id: str = "",
    at: datetime | None = None,
) -> PollRun:
    """Poll every adopted child's revenue figures once; resume `run` if a dead worker left it."""
    poll_runs_abandon_stale()
    if run is not None:
        run.refresh_from_db()
        if not run.is_active:
            return run  # already finished (a redelivered task) or abandoned
    token = str(run.pk) if run is not None else uuid.uuid4().hex
    timeout = int(_time_limit().total_seconds()) + 60
    if not _lock_add(token, timeout) and (run is None or _lock_call("get", LOCK_KEY) != token):
        # The lock holder is alive (or it is our own dead worker's run, handled above by the token).
        _skip(run)
        raise PollInProgress("A revenue poll is already running.")
    try:
        others = PollRun.objects.filter(status=PollRun.Status.RUNNING)
        if run is not None:
            others = others.exclude(pk=run.pk)
        if others.exists():
            _skip(run)
            raise PollInProgress("A revenue poll is already running.")
        now = timezone.now()
        if run is None:
            run = PollRun.objects.create(
                status=PollRun.Status.RUNNING, trigger=trigger, task_id=task_id, started_at=now
            )
        else:
            run.status = PollRun.Status.RUNNING
            run.started_at = run.started_at or now
            run.task_id = task_id or run.task_id
            run.heartbeat_at = now
            run.save(update_fields=["status", "started_at", "task_id", "heartbeat_at"])
        _lock_call("set", LOCK_KEY, str(run.pk), timeout)
        token = str(run.pk)
        try:
            _poll(run=run, progress=progress, at=at)
        except DailymotionError as exc:
            _finish(run, PollRun.Status.FAILED, error=f"{type(exc).__name__}: {exc.message}")
        except Exception as exc:
            _finish(run, PollRun.Status.FAILED, error=f"{type(exc).__name__}: {exc}")
            raise
        return run
    finally:
        if _lock_call("get", LOCK_KEY) == token:
            _lock_call("delete", LOCK_KEY)


def _skip(run: PollRun | None) -> None:
    if run is not None and run.status == PollRun.Status.QUEUED:
        _finish(run, PollRun.Status.SKIPPED, error="Another revenue poll was running.")


def _finish(run: PollRun, status: str, *, error: str = "") -> None:
    run.status = status
    run.finished_at = run.heartbeat_at = timezone.now()
    if error:
        run.errors = [*run.errors, error]
    run.save()


def _poll(*, run: PollRun, progress: Progress | None, at: datetime | None) -> None:
    creators = dict(
        Creator.objects.filter(status=Creator.Status.ADOPTED).values_list("dailymotion_id", "pk")
    )
    done = set(RevenueSnapshot.objects.filter(poll=run).values_list("creator_id", flat=True))
    todo = {dm_id: pk for dm_id, pk in creators.items() if pk not in done}
    run.children_total = len(creators)
    run.children_done = len(done)
    run.save(update_fields=["children_total", "children_done"])
    if progress:
        progress(run.children_done, run.children_total)
    writer = _BatchWriter(run=run, progress=progress, at=at)
    if todo:
        client = _parent_client()
        writer.client = client
        fields = ["id", *REVENUE_FIELDS]
        # A fresh poll reads the parent-level listing (1 call per 100 children); a resumed one
        # asks only for the children still missing, by id, which costs fewer calls.
        if not done:
            try:
                for user in client.children(_parent_id(), fields=fields):
                    pk = todo.pop(user.id, None)
                    if pk is not None:  # not ours, or seen twice on overlapping pages
                        writer.add(pk, user)
            except DailymotionError as exc:
                writer.error(f"children listing stopped: {type(exc).__name__}: {exc.message}")
        for chunk in _chunks(list(todo), USERS_PER_CALL):
            try:
                found = {u.id: u for u in client.users(chunk, fields=fields)}
            except (InvalidToken, ReconnectRequired):
                raise  # the parent token is gone: nothing else will work either
            except DailymotionError as exc:
                found = {}
                writer.error(f"batched read failed: {type(exc).__name__}: {exc.message}")
            for dm_id in chunk:
                if dm_id in found:
                    writer.add(todo.pop(dm_id), found[dm_id])
        outage, failures = "", 0
        for dm_id in list(todo):
            pk = todo.pop(dm_id)
            if outage:
                writer.add(pk, None, reason=outage, failed=True)
                continue
            try:
                writer.add(pk, client.user(dm_id, fields=fields))
                failures = 0
            except AccessForbidden as exc:
                writer.add(pk, None, reason=f"Access forbidden: {exc.message}")
            except NotFound:
                writer.add(pk, None, reason="Not found on Dailymotion (account closed?)")
            except (InvalidToken, ReconnectRequired):
                raise
            except DailymotionError as exc:
                writer.add(pk, None, reason=f"Dailymotion error: {exc.message}", failed=True)
                failures += 1
                # Retries already happened inside the client: stop hammering a service that is down.
                if failures >= MAX_CONSECUTIVE_FAILURES:
                    outage = f"Not asked: Dailymotion kept failing ({exc.message})"
                    writer.error(outage)
    writer.flush()
    status = (
        PollRun.Status.PARTIAL
        if run.children_unavailable or run.children_failed
        else PollRun.Status.SUCCEEDED
    )
    _finish(run, status)


def _chunks(items: list, size: int) -> Iterator[list]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


@dataclass
class _Pending:
    creator_id: int
    user: DailymotionUser | None
    reason: str
    failed: bool


@dataclass
class _BatchWriter:
    run: PollRun
    progress: Progress | None
    at: datetime | None
    client: DailymotionClient | None = None
    pending: list[_Pending] = field(default_factory=list)
    calls_before: int = -1

    def add(self, creator_id: int, user: DailymotionUser | None, *, reason="", failed=False):
        self.pending.append(_Pending(creator_id, user, reason, failed))
        if len(self.pending) >= BATCH_SIZE:
            self.flush()

    def error(self, message: str) -> None:
        logger.warning("revenue poll %s: %s", self.run.pk, message)
        self.run.errors = [*self.run.errors, message][-50:]

    def flush(self) -> None:
        batch, self.pending = self.pending, []
        if self.calls_before < 0:
            self.calls_before = self.run.api_calls
        if batch:
            written = snapshots_write(run=self.run, items=batch, at=self.at or timezone.now())
            self.run.children_done += written["written"]
            self.run.children_unavailable += written["unavailable"]
            self.run.children_failed += written["failed"]
        if self.client is not None:
            self.run.api_calls = self.calls_before + self.client.calls_made
        self.run.heartbeat_at = timezone.now()
        self.run.save(
            update_fields=[
                "children_done",
                "children_unavailable",
                "children_failed",
                "api_calls",
                "heartbeat_at",
                "errors",
            ]
        )
        if self.progress:
            self.progress(self.run.children_done, self.run.children_total)


# --- Snapshots and the ledger ----------------------------------------------------------------
def _figures(user: DailymotionUser | None) -> dict[str, Decimal | None]:
    """The 16 figures keyed `<source>_<period>`; None where Dailymotion gave nothing."""
    revenues = user.revenues if user is not None else {}
    out: dict[str, Decimal | None] = {}
    for source in SOURCES:
        for period in PERIODS:
            key = f"{source}_{period}"
            value = revenues.get(f"revenues_{key}", revenues.get(key))
            out[key] = None if value is None else Decimal(str(value)).quantize(CENT, ROUND_HALF_UP)
    return out


def _spread(amount: Decimal, since: datetime, until: datetime) -> list[tuple[date, Decimal]]:
    """Attribute an increase between two readings to days: evenly over a gap of several days."""
    first, last = timezone.localdate(since), timezone.localdate(until)
    days = (last - first).days
    if days <= 1:
        return [(last, amount)]
    each = (amount / days).quantize(CENT, ROUND_DOWN)
    parts = [(first + timedelta(days=i), each) for i in range(1, days)]
    parts.append((last, amount - each * (days - 1)))
    return parts


def _share_on(shares: list[tuple[date, Decimal]], day: date) -> Decimal:
    """The percent effective on `day`, from (effective_from, percent) sorted oldest first."""
    percent = default_share_percent()
    for effective_from, value in shares:
        if effective_from > day:
            break
        percent = value
    return percent


def _shares_by_creator(creator_ids: Iterable[int]) -> dict[int, list[tuple[date, Decimal]]]:
    shares: dict[int, list[tuple[date, Decimal]]] = defaultdict(list)
    rows = RevenueShare.objects.filter(creator_id__in=list(creator_ids)).order_by(
        "effective_from", "created_at", "id"
    )
    for creator_id, effective_from, percent in rows.values_list(
        "creator_id", "effective_from", "percent"
    ):
        shares[creator_id].append((effective_from, percent))
    return shares


def _apply_share(row: DailyEarning, percent: Decimal) -> None:
    row.total = row.video + row.website + row.claim + row.paidcontent
    row.share_percent = percent
    row.creator_share = (row.total * percent / 100).quantize(CENT, ROUND_HALF_UP)


def snapshots_write(*, run: PollRun, items: list[_Pending], at: datetime) -> dict[str, int]:
    """Store one snapshot per child of `items` in `run`; add the increases to the daily ledger."""
    counts = {"written": 0, "unavailable": 0, "failed": 0}
    with transaction.atomic():
        already = set(
            RevenueSnapshot.objects.filter(
                poll=run, creator_id__in=[i.creator_id for i in items]
            ).values_list("creator_id", flat=True)
        )
        items = [i for i in items if i.creator_id not in already]
        if not items:
            return counts
        ids = [i.creator_id for i in items]
        states = {s.creator_id: s for s in CreatorRevenueState.objects.filter(creator_id__in=ids)}
        new_states: list[CreatorRevenueState] = []
        snapshots: list[RevenueSnapshot] = []
        increases: dict[tuple[int, date], dict[str, Decimal]] = defaultdict(
            lambda: dict.fromkeys(SOURCES, ZERO)
        )
        restated_days: set[tuple[int, date]] = set()
        lifetime: dict[int, Decimal] = {}  # the staff list's "Revenue" column, kept current
        for item in items:
            figures = _figures(item.user)
            missing = [s for s in SOURCES if figures[f"{s}_total"] is None]
            reason, status = item.reason, RevenueSnapshot.Status.OK
            if len(missing) == len(SOURCES):
                status = RevenueSnapshot.Status.UNAVAILABLE
                reason = reason or "Dailymotion returned no revenue figures (missing permission?)"
            elif missing:
                status = RevenueSnapshot.Status.PARTIAL
                reason = reason or f"No figures for: {', '.join(missing)}"
            present = [figures[f"{s}_total"] for s in SOURCES if s not in missing]
            if present:
                lifetime[item.creator_id] = sum(present, ZERO)
            state = states.get(item.creator_id)
            if state is None:
                state = CreatorRevenueState(creator_id=item.creator_id)
                new_states.append(state)
            restated = False
            notes = []
            for source in SOURCES:
                total = figures[f"{source}_total"]
                before, before_at = (
                    getattr(state, f"{source}_total"),
                    getattr(state, f"{source}_at"),
                )
                if total is None or (before_at is not None and before_at >= at):
                    continue
                if before is not None and total != before:
                    delta = total - before
                    restated = restated or delta < 0
                    month = figures[f"{source}_last_month"]
                    if month is not None and at - before_at <= timedelta(days=30) and delta > month:
                        notes.append(f"{source} rose {delta} but last_month says {month}")
                    for day, amount in _spread(delta, before_at, at):
                        increases[(item.creator_id, day)][source] += amount
                        if delta < 0:
                            restated_days.add((item.creator_id, day))
                setattr(state, f"{source}_total", total)
                setattr(state, f"{source}_at", at)
            if restated:
                notes.insert(0, "a total went down (restatement or claw-back)")
                state.restatements += 1
            reason = "; ".join([r for r in (reason, *notes) if r])[:500]
            state.last_polled_at, state.last_status, state.last_reason = at, status, reason
            snapshots.append(
                RevenueSnapshot(
                    poll=run,
                    creator_id=item.creator_id,
                    taken_at=at,
                    status=status,
                    reason=reason,
                    restated=restated,
                    **figures,
                )
            )
            counts["written"] += 1
            counts["unavailable"] += status != RevenueSnapshot.Status.OK
            counts["failed"] += item.failed
        # ignore_conflicts: a snapshot is unique per (poll, creator) even if two writers raced.
        RevenueSnapshot.objects.bulk_create(snapshots, ignore_conflicts=True)
        # Delete and re-insert rather than bulk_update: its CASE WHEN per row and field costs
        # seconds of Python per thousand rows, and nothing points at these rows.
        CreatorRevenueState.objects.filter(creator_id__in=list(states)).delete()
        for state in states.values():
            state.pk = None
        CreatorRevenueState.objects.bulk_create([*new_states, *states.values()])
        Creator.objects.bulk_update(
            [Creator(pk=pk, revenues_total=total) for pk, total in lifetime.items()],
            ["revenues_total"],
        )
        _ledger_add(increases, restated_days)
    return counts


def _ledger_add(
    increases: dict[tuple[int, date], dict[str, Decimal]], restated_days: set[tuple[int, date]]
) -> None:
    if not increases:
        return
    creator_ids = {c for c, _ in increases}
    days = {d for _, d in increases}
    existing = {
        (row.creator_id, row.date): row
        for row in DailyEarning.objects.filter(creator_id__in=creator_ids, date__in=days)
    }
    shares = _shares_by_creator(creator_ids)
    created, updated = [], []
    for (creator_id, day), amounts in increases.items():
        row = existing.get((creator_id, day))
        if row is None:
            row = DailyEarning(creator_id=creator_id, date=day)
            created.append(row)
        else:
            updated.append(row)
        for source, amount in amounts.items():
            setattr(row, source, getattr(row, source) + amount)
        row.restated = row.restated or (creator_id, day) in restated_days
        _apply_share(row, _share_on(shares.get(creator_id, []), day))
    _ledger_replace(created, updated)


def _ledger_replace(created: list[DailyEarning], updated: list[DailyEarning]) -> None:
    """Insert new ledger rows and rewrite changed ones (delete + insert: see snapshots_write)."""
    if updated:
        DailyEarning.objects.filter(pk__in=[r.pk for r in updated]).delete()
        for row in updated:
            row.pk = None
    DailyEarning.objects.bulk_create([*created, *updated], batch_size=2000)


# --- Revenue shares --------------------------------------------------------------------------
def share_set(
    *, creator: Creator, percent: Decimal, effective_from: date, by=None, note: str = ""
) -> RevenueShare:
    """Record a creator's share from a date on and recompute the ledger from that date."""
    percent = Decimal(str(percent)).quantize(CENT)
    if not ZERO <= percent <= 100:
        raise ValueError("A share is a percentage between 0 and 100.")
    with transaction.atomic():
        share = RevenueShare.objects.create(
            creator=creator, percent=percent, effective_from=effective_from, set_by=by, note=note
        )
        shares = _shares_by_creator([creator.pk]).get(creator.pk, [])
        rows = list(DailyEarning.objects.filter(creator=creator, date__gte=effective_from))
        for row in rows:
            _apply_share(row, _share_on(shares, row.date))
        _ledger_replace([], rows)
    return share


def share_current(*, creator: Creator, on: date | None = None) -> Decimal:
    """The creator's share percent on a day (today by default)."""
    return _share_on(
        _shares_by_creator([creator.pk]).get(creator.pk, []), on or timezone.localdate()
    )


# --- Reports ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive
    label: str = ""

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        end = self.start - timedelta(days=1)
        return Period(end - timedelta(days=self.days - 1), end, "previous period")

    def dates(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range(self.days)]


def period_named(name: str, *, today: date | None = None) -> Period:
    """this_month, last_month or last_30_days, relative to today."""
    today = today or timezone.localdate()
    first = today.replace(day=1)
    if name == "this_month":
        return Period(first, today, "This month")
    if name == "last_month":
        end = first - timedelta(days=1)
        return Period(end.replace(day=1), end, "Last month")
    return Period(today - timedelta(days=29), today, "Last 30 days")


def _sums(prefix: str = "") -> dict:
    """Sum expressions for every amount of DailyEarning (through `prefix` when joined)."""
    exprs = {
        key: Coalesce(Sum(f"{prefix}{column}"), Value(ZERO), output_field=MONEY)
        for key, column in [(s, s) for s in SOURCES]
        + [("gross", "total")]
        + [("creator_share", "creator_share")]
    }
    return exprs


def _with_network(values: dict) -> dict:
    values = {k: (v if v is not None else ZERO) for k, v in values.items()}
    values["network_share"] = values["gross"] - values["creator_share"]
    return values


def earnings_totals(*, period: Period, creator_id: int | None = None) -> dict[str, Decimal]:
    """Per-source, gross, creator and network amounts over the period (one query)."""
    rows = DailyEarning.objects.filter(date__range=(period.start, period.end))
    if creator_id is not None:
        rows = rows.filter(creator_id=creator_id)
    return _with_network(rows.aggregate(**_sums()))


def earnings_series(
    *, period: Period, bucket: str = "day", creator_id: int | None = None
) -> list[tuple[date, dict[str, Decimal]]]:
    """Amounts per day, week or month across the period, zero-filled (one query)."""
    return _series_found(period=period, bucket=bucket, creator_id=creator_id)[0]


def _series_found(
    *, period: Period, bucket: str, creator_id: int | None = None
) -> tuple[list[tuple[date, dict[str, Decimal]]], list[dict[str, Decimal]]]:
    """The zero-filled series, and the buckets that had rows (whose sum is the period's total)."""
    rows = DailyEarning.objects.filter(date__range=(period.start, period.end))
    if creator_id is not None:
        rows = rows.filter(creator_id=creator_id)
    if bucket == "day":
        rows = rows.annotate(bucket=F("date"))
    else:
        trunc = TruncWeek if bucket == "week" else TruncMonth
        rows = rows.annotate(bucket=trunc("date"))
    found = {
        (r["bucket"].date() if isinstance(r["bucket"], datetime) else r["bucket"]): _with_network(
            {k: r[k] for k in (*SOURCES, "gross", "creator_share")}
        )
        for r in rows.values("bucket").annotate(**_sums()).order_by("bucket")
    }
    empty = _with_network(dict.fromkeys((*SOURCES, "gross", "creator_share"), ZERO))
    return [(b, found.get(b, empty)) for b in _buckets(period, bucket)], list(found.values())


def _buckets(period: Period, bucket: str) -> list[date]:
    if bucket == "day":
        return period.dates()
    if bucket == "week":
        start = period.start - timedelta(days=period.start.weekday())
        return [start + timedelta(weeks=i) for i in range((period.end - start).days // 7 + 1)]
    months, cursor = [], period.start.replace(day=1)
    while cursor <= period.end:
        months.append(cursor)
        cursor = (cursor + timedelta(days=32)).replace(day=1)
    return months


def bucket_for(period: Period) -> str:
    """Daily bars up to two months, weekly up to two years, monthly beyond."""
    if period.days <= 62:
        return "day"
    return "week" if period.days <= 730 else "month"


SORTABLE = ("username", *SOURCES, "gross", "creator_share", "network_share")


def earnings_by_creator(*, period: Period, order: str = "-gross") -> list[dict]:
    """Every adopted creator and every creator who earned in the period, with amounts, sorted.

    Two queries whatever the network's size: sums grouped by creator id (the (date, creator)
    index), and the creators; sorting and paging 10,000 small dicts in Python is cheap.
    """
    earned = DailyEarning.objects.filter(date__range=(period.start, period.end))
    sums = {r["creator_id"]: r for r in earned.values("creator_id").annotate(**_sums()).order_by()}
    people = Creator.objects.filter(
        Q(status=Creator.Status.ADOPTED) | Q(pk__in=earned.values("creator_id"))
    ).values_list("pk", "dailymotion_id", "username", "status")
    empty = dict.fromkeys((*SOURCES, "gross", "creator_share"), ZERO)
    rows = []
    for pk, dailymotion_id, username, status in people:
        amounts = sums.get(pk, empty)
        row = {"pk": pk, "dailymotion_id": dailymotion_id, "username": username, "status": status}
        row.update({k: amounts[k] for k in empty})
        row["network_share"] = row["gross"] - row["creator_share"]
        rows.append(row)
    key = order.lstrip("-")
    if key not in SORTABLE:
        order, key = "-gross", "gross"
    rows.sort(key=lambda r: (r["username"], r["pk"]))
    rows.sort(key=lambda r: r[key], reverse=order.startswith("-"))
    return rows


def creators_states(*, creator_ids: list[int] | None = None) -> dict[int, CreatorRevenueState]:
    """The last poll outcome per creator (all creators when ids is None; one query)."""
    states = CreatorRevenueState.objects.all()
    if creator_ids is not None:
        states = states.filter(creator_id__in=creator_ids)
    return {s.creator_id: s for s in states}


def earnings_for_period(*, period: Period) -> dict:
    """Network totals of the period and the previous one, the change, and the chart series."""
    bucket = bucket_for(period)
    # The totals are the sum of the chart's buckets: one pass over the ledger instead of two.
    series, found = _series_found(period=period, bucket=bucket)
    keys = (*SOURCES, "gross", "creator_share")
    totals = _with_network({k: sum((b[k] for b in found), ZERO) for k in keys})
    previous = earnings_totals(period=period.previous())
    return {
        "period": period,
        "totals": totals,
        "previous": previous,
        "change": totals["gross"] - previous["gross"],
        "change_percent": _percent_change(totals["gross"], previous["gross"]),
        "bucket": bucket,
        "series": series,
    }


def _percent_change(now: Decimal, before: Decimal) -> Decimal | None:
    if not before:
        return None
    return ((now - before) * 100 / abs(before)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def creators_previous_gross(
    *, period: Period, creator_ids: list[int] | None = None
) -> dict[int, Decimal]:
    """Gross per creator over the period before `period` (all creators when ids is None)."""
    prev = period.previous()
    rows = DailyEarning.objects.filter(date__range=(prev.start, prev.end))
    if creator_ids is not None:
        rows = rows.filter(creator_id__in=creator_ids)
    return dict(
        rows.values("creator_id").annotate(gross=Sum("total")).values_list("creator_id", "gross")
    )


def creators_sparklines(*, creator_ids: list[int], period: Period) -> dict[int, list[Decimal]]:
    """Gross per bucket (day or week) and creator across the period (one query)."""
    bucket = "day" if period.days <= 92 else "week"
    keys = _buckets(period, bucket)
    index = {k: i for i, k in enumerate(keys)}
    lines = {cid: [ZERO] * len(keys) for cid in creator_ids}
    rows = DailyEarning.objects.filter(
        creator_id__in=creator_ids, date__range=(period.start, period.end)
    ).values_list("creator_id", "date", "total")
    for creator_id, day, total in rows:
        key = day if bucket == "day" else day - timedelta(days=day.weekday())
        lines[creator_id][index[key]] += total
    return lines


# --- Statements ------------------------------------------------------------------------------
@dataclass
class Statement:
    creator: Creator
    year: int
    month: int
    rows: list[DailyEarning]
    totals: dict[str, Decimal]

    @property
    def label(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def restated(self) -> bool:
        return any(r.restated for r in self.rows)


def statement_for(*, creator: Creator, year: int, month: int) -> Statement:
    """A creator's month: one line per day with earnings, and the month's totals."""
    start = date(year, month, 1)
    end = date(year, month, calendar.monthrange(year, month)[1])
    rows = list(DailyEarning.objects.filter(creator=creator, date__range=(start, end)))
    totals = {k: sum((getattr(r, k) for r in rows), ZERO) for k in SOURCES}
    totals["gross"] = sum((r.total for r in rows), ZERO)
    totals["creator_share"] = sum((r.creator_share for r in rows), ZERO)
    totals["network_share"] = totals["gross"] - totals["creator_share"]
    return Statement(creator=creator, year=year, month=month, rows=rows, totals=totals)


def statement_months(*, creator: Creator) -> QuerySet:
    """Month summaries of a creator's ledger, newest first (dicts with month and amounts)."""
    return (
        DailyEarning.objects.filter(creator=creator)
        .annotate(month=TruncMonth("date"))
        .values("month")
        .annotate(**_sums(), restated_days=Count("pk", filter=Q(restated=True)))
        .annotate(network_share=F("gross") - F("creator_share"))
        .order_by("-month")
    )
