"""Revenue pages for staff who may see money, and the creator's own history downloads."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from datetime import date

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.decorators import creator_required, staff_required
from accounts.models import Creator

from . import charts, services
from .forms import PeriodForm, ShareForm
from .models import SOURCE_LABELS, SOURCES, DailyEarning, PollRun

SEE_MONEY = "accounts.see_money"
PER_PAGE = 50


def _money(value) -> str:
    return f"{value:.2f}"


class _Echo:
    def write(self, value: str) -> str:
        return value


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"-?\d+(\.\d+)?")


def _cell(value):
    """Text a spreadsheet would run as a formula (a creator picks their own username) is quoted."""
    if isinstance(value, str) and value.startswith(_FORMULA_START) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def _csv_response(filename: str, rows: Iterable[list]) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())
    response = StreamingHttpResponse(
        (writer.writerow([_cell(value) for value in r]) for r in rows),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@staff_required(SEE_MONEY)
def report(request):
    form = PeriodForm(request.GET or None)
    period = form.get_period()
    summary = services.earnings_for_period(period=period)
    rows = services.earnings_by_creator(period=period, order=form.get_order())
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    ids = [r["pk"] for r in page]
    previous = services.creators_previous_gross(creator_ids=ids, period=period)
    lines = services.creators_sparklines(creator_ids=ids, period=period)
    states = services.creators_states(creator_ids=ids)
    for row in page:
        row["previous_gross"] = previous.get(row["pk"], services.ZERO)
        row["change"] = row["gross"] - row["previous_gross"]
        row["sparkline"] = charts.sparkline(lines[row["pk"]])
        row["state"] = states.get(row["pk"])
    top = sorted((r for r in rows if r["gross"] > 0), key=lambda r: r["gross"], reverse=True)[:5]
    query = request.GET.copy()
    query.pop("page", None)
    sort_query = query.copy()
    sort_query.pop("sort", None)
    context = {
        "form": form,
        "summary": summary,
        "chart": charts.stacked_bars(summary["series"], bucket=summary["bucket"]),
        "legend": charts.legend(),
        "page": page,
        "top": top,
        "last_run": PollRun.objects.first(),
        "sources": [(s, SOURCE_LABELS[s]) for s in SOURCES],
        "by_source": [
            (s, SOURCE_LABELS[s], summary["totals"][s], summary["previous"][s]) for s in SOURCES
        ],
        "query": query.urlencode(),
        "sort_query": sort_query.urlencode(),
        "order": form.get_order(),
    }
    return render(request, "revenues/report.html", context)


@staff_required(SEE_MONEY)
def report_csv(request):
    form = PeriodForm(request.GET or None)
    period = form.get_period()

    def lines() -> Iterator[list]:
        yield [
            "dailymotion_id", "username", "status", "availability", *SOURCES, "gross_usd",
            "creator_share_usd", "network_share_usd", "previous_gross_usd", "change_usd",
            "period_start", "period_end",
        ]  # fmt: skip
        previous = services.creators_previous_gross(period=period)
        states = services.creators_states()
        for r in services.earnings_by_creator(period=period, order=form.get_order()):
            before = previous.get(r["pk"], services.ZERO)
            state = states.get(r["pk"])
            yield [
                r["dailymotion_id"], r["username"], r["status"],
                state.last_status if state else "never polled",
                *(_money(r[s]) for s in SOURCES), _money(r["gross"]), _money(r["creator_share"]),
                _money(r["network_share"]), _money(before), _money(r["gross"] - before),
                period.start, period.end,
            ]  # fmt: skip

    return _csv_response(f"revenues-{period.start}-{period.end}.csv", lines())


@staff_required(SEE_MONEY)
def creator_detail(request, creator_id: int):
    creator = get_object_or_404(Creator.objects.select_related("revenue_state"), pk=creator_id)
    return _creator_page(request, creator, ShareForm())


def _creator_page(request, creator: Creator, share_form: ShareForm, status: int = 200):
    months = Paginator(services.statement_months(creator=creator), 12).get_page(
        request.GET.get("page")
    )
    year = services.period_named("this_month")
    chart_period = services.Period(year.start.replace(year=year.start.year - 1), year.end)
    context = {
        "creator": creator,
        "state": getattr(creator, "revenue_state", None),
        "months": months,
        "chart": charts.stacked_bars(
            services.earnings_series(period=chart_period, bucket="month", creator_id=creator.pk),
            bucket="month",
            title=f"Monthly earnings of {creator.username}",
        ),
        "legend": charts.legend(),
        "shares": Paginator(creator.revenue_shares.select_related("set_by"), 20).get_page(
            request.GET.get("shares_page")
        ),
        "current_share": services.share_current(creator=creator),
        "share_form": share_form,
        "snapshots": Paginator(creator.revenue_snapshots.all(), 20).get_page(
            request.GET.get("snapshots_page")
        ),
    }
    return render(request, "revenues/creator.html", context, status=status)


@require_POST
@staff_required(SEE_MONEY)
def share_set(request, creator_id: int):
    creator = get_object_or_404(Creator, pk=creator_id)
    form = ShareForm(request.POST)
    if not form.is_valid():
        return _creator_page(request, creator, form, status=400)
    services.share_set(
        creator=creator,
        percent=form.cleaned_data["percent"],
        effective_from=form.cleaned_data["effective_from"],
        note=form.cleaned_data["note"],
        by=request.user,
    )
    messages.success(request, f"Share of {creator.username} set.")
    return redirect("revenues_creator", creator_id=creator.pk)


def _statement_rows(statement: services.Statement) -> Iterator[list]:
    yield [
        "date", *SOURCES, "gross_usd", "share_percent", "creator_share_usd", "network_share_usd",
        "restated",
    ]  # fmt: skip
    for r in statement.rows:
        yield [
            r.date, *(_money(getattr(r, s)) for s in SOURCES), _money(r.total), r.share_percent,
            _money(r.creator_share), _money(r.total - r.creator_share), "yes" if r.restated else "",
        ]  # fmt: skip
    t = statement.totals
    yield [
        "total", *(_money(t[s]) for s in SOURCES), _money(t["gross"]), "",
        _money(t["creator_share"]), _money(t["network_share"]), "yes" if statement.restated else "",
    ]  # fmt: skip


def _statement(creator: Creator, year: int, month: int) -> services.Statement:
    if not 1 <= month <= 12 or not 2000 <= year <= 2100:
        raise Http404
    return services.statement_for(creator=creator, year=year, month=month)


@staff_required(SEE_MONEY)
def creator_statement_csv(request, creator_id: int, year: int, month: int):
    creator = get_object_or_404(Creator, pk=creator_id)
    statement = _statement(creator, year, month)
    name = f"statement-{creator.dailymotion_id}-{statement.label}.csv"
    return _csv_response(name, _statement_rows(statement))


@staff_required(SEE_MONEY)
def polls(request):
    services.poll_runs_abandon_stale()
    runs = Paginator(PollRun.objects.select_related("requested_by"), 25).get_page(
        request.GET.get("page")
    )
    active = PollRun.objects.filter(status__in=PollRun.ACTIVE).first()
    return render(request, "revenues/polls.html", {"runs": runs, "active": active})


@require_POST
@staff_required(SEE_MONEY)
def poll_start(request):
    try:
        run = services.poll_run_start(trigger="staff", user=request.user)
    except services.PollInProgress as exc:
        messages.warning(request, str(exc))
    else:
        messages.success(request, f"Poll #{run.pk} queued.")
    return redirect("revenues_polls")


@staff_required(SEE_MONEY)
def poll_progress(request, run_id: int):
    run = get_object_or_404(PollRun, pk=run_id)
    return JsonResponse(
        {
            "id": run.pk,
            "status": run.status,
            "status_display": run.get_status_display(),
            "active": run.is_active,
            "done": run.children_done,
            "total": run.children_total,
            "percent": run.percent,
            "unavailable": run.children_unavailable,
            "failed": run.children_failed,
            "api_calls": run.api_calls,
        }
    )


@creator_required
def my_history_csv(request):
    creator = request.user.creator
    rows = DailyEarning.objects.filter(creator=creator).order_by("date")

    def lines() -> Iterator[list]:
        yield ["date", *SOURCES, "gross_usd", "share_percent", "my_share_usd", "restated"]
        for r in rows.iterator(2000):
            yield [
                r.date, *(_money(getattr(r, s)) for s in SOURCES), _money(r.total),
                r.share_percent, _money(r.creator_share), "yes" if r.restated else "",
            ]  # fmt: skip

    return _csv_response(f"my-revenues-{creator.dailymotion_id}-{date.today()}.csv", lines())


@creator_required
def my_statement_csv(request, year: int, month: int):
    creator = request.user.creator
    statement = _statement(creator, year, month)
    return _csv_response(f"my-statement-{statement.label}.csv", _statement_rows(statement))
