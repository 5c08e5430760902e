from __future__ import annotations

import io
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe

from accounts.decorators import creator_required, staff_required
from accounts.models import Creator
from mcn_portal.redirects import redirect_back

from . import charts, feeds, services
from .decorators import token_required
from .forms import CatalogUploadForm, VideoFilterForm
from .models import CallbackDelivery, CallbackEvent, CatalogImport, CrawlLog, Video

PAGE_SIZE = 50


def _page(request, queryset, size: int = PAGE_SIZE):
    return Paginator(queryset, size).get_page(request.GET.get("page"))


def _query_without_page(request) -> str:
    return urlencode([(k, v) for k, v in request.GET.items() if k != "page" and v])


# --- Creator page --------------------------------------------------------------------------------
@creator_required
def my_videos(request):
    """All of the signed-in creator's videos with their syndication state, paginated."""
    creator = request.user.creator
    videos = Video.objects.filter(creator=creator).order_by("-published_at", "-id")
    return render(
        request,
        "ingestion/my_videos.html",
        {"creator": creator, "page": _page(request, videos, 25)},
    )


# --- Machine endpoints ---------------------------------------------------------------------------
@require_safe
@token_required("SYNDICATION_TOKENS", 401)
def users_json(request):
    """Adopted creators with syndication on, each with the URL of their feed (guide: user list)."""

    def done(count: int) -> None:
        services.crawl_record(endpoint=CrawlLog.Endpoint.USERS, status=200, items=count)

    return StreamingHttpResponse(
        services.users_build(on_done=done), content_type="application/json"
    )


@require_safe
@token_required("SYNDICATION_TOKENS", 401)
def feed(request, dailymotion_id: str):
    """MRSS of one creator's videos awaiting import, streamed; 304 when nothing changed."""
    creator = services.syndicated_creators().filter(dailymotion_id=dailymotion_id).first()
    if creator is None:
        return JsonResponse(
            {"error": "no adopted creator with syndication on has this id"}, status=404
        )
    version = services.feed_version(creator=creator)
    last_modified = int(version.last_modified.timestamp())
    unchanged = get_conditional_response(request, etag=version.etag, last_modified=last_modified)
    if unchanged is not None:
        services.crawl_record(
            endpoint=CrawlLog.Endpoint.FEED, status=unchanged.status_code, creator=creator
        )
        unchanged["ETag"] = version.etag
        return unchanged
    services.crawl_record(
        endpoint=CrawlLog.Endpoint.FEED, status=200, creator=creator, items=version.count
    )
    response = StreamingHttpResponse(
        services.feed_build(creator=creator), content_type=feeds.CONTENT_TYPE
    )
    response["ETag"] = version.etag
    response["Last-Modified"] = http_date(last_modified)
    return response


def _trace_headers(request) -> dict:
    keep = ("CONTENT_TYPE", "CONTENT_LENGTH", "HTTP_USER_AGENT", "HTTP_X_FORWARDED_FOR")
    headers = {k: request.META[k] for k in keep if request.META.get(k)}
    headers["REMOTE_ADDR"] = request.META.get("REMOTE_ADDR", "")
    return headers


@csrf_exempt
@require_POST
@token_required("CALLBACK_TOKENS", 403)
def callback(request):
    """Import status events from Dailymotion: stored raw, deduplicated, applied to videos."""
    limit = settings.CALLBACK_MAX_BYTES
    headers = _trace_headers(request)
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    # Read the stream ourselves: request.body would apply DATA_UPLOAD_MAX_MEMORY_SIZE instead.
    body = b"" if declared > limit else request.read(limit + 1)
    if declared > limit or len(body) > limit:
        services.callback_store_oversized(size=max(declared, len(body)), headers=headers)
        return JsonResponse({"error": f"body is larger than {limit} bytes"}, status=413)
    try:
        result = services.callback_record(body=body, headers=headers)
    except services.CallbackInvalid as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    return JsonResponse(result.summary)


# --- Staff pages ---------------------------------------------------------------------------------
@staff_required("ingestion.view_video")
def video_list(request):
    """Every video with its syndication state; filters, search, bulk actions."""
    form = VideoFilterForm(request.GET or None)
    videos = Video.objects.select_related("creator").order_by("-id")
    creator = None
    if form.is_valid():
        data = form.cleaned_data
        if data["state"] == "stuck":
            videos = videos.filter(
                state=Video.State.QUEUED,
                crawl_count__gte=services.CRAWLS_WITHOUT_CALLBACK_WARNING,
            )
        elif data["state"]:
            videos = videos.filter(state=data["state"])
        if data["creator"]:
            creator = Creator.objects.filter(dailymotion_id=data["creator"]).first()
            videos = videos.filter(creator__dailymotion_id=data["creator"])
        if data["q"]:
            videos = videos.filter(
                Q(title__icontains=data["q"]) | Q(uid=data["q"]) | Q(remote_id=data["q"])
            )
    stuck = Video.objects.filter(
        state=Video.State.QUEUED, crawl_count__gte=services.CRAWLS_WITHOUT_CALLBACK_WARNING
    ).count()
    context = {
        "form": form,
        "page": _page(request, videos),
        "query": _query_without_page(request),
        "stuck": stuck,
        "stuck_threshold": services.CRAWLS_WITHOUT_CALLBACK_WARNING,
        "creator": creator,
        "last_crawl": services.creator_last_crawl(creator) if creator else None,
        "activity_chart": charts.callbacks_chart(services.callback_activity()),
    }
    return render(request, "ingestion/video_list.html", context)


@staff_required("ingestion.view_video")
def video_detail(request, pk: int):
    video = get_object_or_404(Video.objects.select_related("creator"), pk=pk)
    events = video.callback_events.order_by("-timestamp", "-id")[:50]
    context = {
        "video": video,
        "events": events,
        "last_crawl": services.creator_last_crawl(video.creator),
    }
    return render(request, "ingestion/video_detail.html", context)


def _back(request, default: str):
    return redirect_back(request, request.POST.get("next"), default)


@require_POST
@staff_required("ingestion.change_video")
def video_upload(request, pk: int):
    """Staff action "Upload to Dailymotion now": claims the video, a task does the upload."""
    video = get_object_or_404(Video, pk=pk)
    try:
        services.video_upload_request(video=video, by=request.user)
    except services.VideoActionRefused as exc:
        messages.error(request, str(exc))
    else:
        video.refresh_from_db()
        _upload_message(request, video)
    return _back(request, video_url(video))


def _upload_message(request, video: Video) -> None:
    # With an in-process task runner the upload already happened; otherwise it is on its way.
    if video.state == Video.State.UPLOADED:
        messages.success(request, f"“{video.title}” is on Dailymotion as {video.remote_id}.")
    elif video.upload_error:
        messages.error(request, f"“{video.title}”: {video.upload_error}")
    else:
        messages.info(request, f"“{video.title}” is being uploaded to Dailymotion.")


def video_url(video: Video) -> str:
    from django.urls import reverse

    return reverse("ingestion_video_detail", args=[video.pk])


@require_POST
@staff_required("ingestion.change_video")
def video_requeue(request, pk: int):
    """Put a failed video back in its creator's feed."""
    video = get_object_or_404(Video, pk=pk)
    try:
        services.video_requeue(video=video, by=request.user)
    except services.VideoActionRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"“{video.title}” is back in the feed.")
    return _back(request, video_url(video))


@require_POST
@staff_required("ingestion.change_video")
def video_bulk(request):
    """Upload or re-queue the selected videos; each refusal is reported, the rest proceed."""
    action = request.POST.get("action")
    # isdigit() alone lets "²" through to int(); ids beyond a bigint match nothing anyway.
    ids = [int(i) for i in request.POST.getlist("ids") if i.isascii() and i.isdigit()]
    ids = [i for i in ids if i < 2**63][:PAGE_SIZE]
    act = {"upload": services.video_upload_request, "requeue": services.video_requeue}.get(action)
    if act is None or not ids:
        messages.error(request, "Choose videos and an action.")
        return _back(request, "/staff/videos/")
    done = 0
    for video in Video.objects.filter(pk__in=ids):
        try:
            act(video=video, by=request.user)
            done += 1
        except services.VideoActionRefused as exc:
            messages.warning(request, str(exc))
    verb = "sent for upload" if action == "upload" else "put back in the feed"
    messages.success(request, f"{done} video(s) {verb}.")
    if action == "upload":
        for video in Video.objects.filter(pk__in=ids).exclude(upload_error=""):
            messages.error(request, f"“{video.title}”: {video.upload_error}")
    return _back(request, "/staff/videos/")


@staff_required("ingestion.change_video")
def catalog_upload(request):
    """Staff upload the catalog CSV (or JSON Lines): a small file's report shows at once, a big
    one is imported in the background and its page shows progress."""
    report = None
    posted = request.method == "POST"
    form = CatalogUploadForm(request.POST, request.FILES) if posted else CatalogUploadForm()
    if posted and form.is_valid():
        upload = form.cleaned_data["file"]
        fmt = "jsonl" if upload.name.lower().endswith((".jsonl", ".ndjson")) else "csv"
        try:
            if upload.size > settings.CATALOG_IMPORT_INLINE_MAX_BYTES:
                text = upload.read().decode("utf-8-sig")
                job = services.catalog_import_start(
                    text=text, filename=upload.name, fmt=fmt, size=upload.size, by=request.user
                )
                return redirect("ingestion_catalog_import", pk=job.pk)
            report = services.catalog_import(
                file=io.TextIOWrapper(upload.file, encoding="utf-8-sig", newline=""), fmt=fmt
            )
        except (services.CatalogFileError, UnicodeDecodeError) as exc:
            form.add_error("file", str(exc))
    imports = _page(request, CatalogImport.objects.defer("content", "errors"), size=10)
    context = {
        "form": form,
        "report": report,
        "imports": imports,
        "inline_max": settings.CATALOG_IMPORT_INLINE_MAX_BYTES,
        "max_size": settings.CATALOG_IMPORT_MAX_BYTES,
    }
    return render(request, "ingestion/catalog_upload.html", context)


@require_safe
@staff_required("ingestion.change_video")
def catalog_import_detail(request, pk: int):
    job = get_object_or_404(CatalogImport.objects.defer("content"), pk=pk)
    return render(request, "ingestion/catalog_import.html", {"job": job})


@require_safe
@staff_required("ingestion.change_video")
def catalog_import_status(request, pk: int):
    job = get_object_or_404(CatalogImport.objects.defer("content", "errors"), pk=pk)
    fields = ("status", "total", "rows", "created", "updated", "error_count", "percent", "active")
    return JsonResponse({name: getattr(job, name) for name in fields})


@staff_required("ingestion.view_callbackevent")
def callback_list(request):
    """Callback events, newest first; failed and unmatched ones for the content manager."""
    show = request.GET.get("show", "")
    if show == "invalid":
        deliveries = CallbackDelivery.objects.exclude(status=CallbackDelivery.Status.PROCESSED)
        page = _page(request, deliveries.defer("body").order_by("-received_at", "-id"))
        return render(
            request,
            "ingestion/callback_deliveries.html",
            {"page": page, "query": _query_without_page(request), "show": show},
        )
    events = CallbackEvent.objects.select_related("video").order_by("-received_at", "-id")
    if show == "failed":
        events = events.filter(outcome=CallbackEvent.Outcome.FAILED)
    elif show == "unmatched":
        events = events.filter(
            outcome__in=[CallbackEvent.Outcome.UNMATCHED, CallbackEvent.Outcome.AMBIGUOUS]
        )
    if q := request.GET.get("q", "").strip():
        # No row holds a NUL (PostgreSQL text cannot), and comparing with one raises.
        events = events.filter(Q(uid=q) | Q(remote_id=q)) if "\x00" not in q else events.none()
    context = {
        "page": _page(request, events),
        "query": _query_without_page(request),
        "show": show,
        "activity_chart": charts.callbacks_chart(services.callback_activity()),
    }
    return render(request, "ingestion/callback_list.html", context)


@staff_required("ingestion.view_video")
def crawl_list(request):
    """Every crawler fetch, newest first; filter by creator."""
    logs = CrawlLog.objects.select_related("creator").order_by("-at", "-id")
    if creator := request.GET.get("creator", "").strip():
        logs = (
            logs.filter(creator__dailymotion_id=creator) if "\x00" not in creator else logs.none()
        )
    context = {
        "page": _page(request, logs),
        "query": _query_without_page(request),
        "activity_chart": charts.crawls_chart(services.crawl_activity()),
    }
    return render(request, "ingestion/crawl_list.html", context)


@require_POST
@staff_required("ingestion.change_video")
def creator_syndication(request, dailymotion_id: str):
    """Turn a creator's syndication on or off (off: gone from the user list and feed)."""
    creator = get_object_or_404(Creator, dailymotion_id=dailymotion_id)
    enabled = request.POST.get("enabled") == "1"
    services.creator_syndication_set(creator=creator, enabled=enabled, by=request.user)
    state = "on" if enabled else "off"
    messages.success(request, f"Syndication is {state} for {creator.username}.")
    return _back(request, f"/staff/videos/?creator={creator.dailymotion_id}")
