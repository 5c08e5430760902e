from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import services as account_services
from accounts.decorators import staff_required
from accounts.models import Creator
from mcn_portal.redirects import redirect_back

from . import services
from .forms import (
    SORTS,
    AddCreatorForm,
    AuditFilterForm,
    BulkForm,
    CreatorFilterForm,
    DriftFixForm,
    RejectForm,
)
from .models import AuditEvent, BulkJob, Drift, ReconcileRun

VIEW, DECIDE = "accounts.view_creator", "accounts.decide_creator"
PAGE_SIZE = 50


def _back(request, default: str):
    """Redirect to the page the form came from, if it is ours."""
    return redirect_back(request, request.POST.get("next") or request.GET.get("next"), default)


def _page(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


@require_GET
@staff_required(VIEW)
def staff_home(request):
    """The creators list: counts per status, filter, search, sort, pages, decisions."""
    form = CreatorFilterForm(request.GET)
    form.is_valid()
    creators = Creator.objects.select_related("credential").defer(
        "credential__access_token", "credential__refresh_token"
    )
    status, q = form.cleaned_data.get("status"), form.cleaned_data.get("q")
    if status == "reconnect":
        creators = creators.filter(credential__needs_reconnect=True)
    elif status:
        creators = creators.filter(status=status)
    if q:
        creators = creators.filter(
            Q(username__icontains=q) | Q(screenname__icontains=q) | Q(email__icontains=q)
        )
    creators = creators.order_by(*SORTS[form.cleaned_data.get("sort") or "newest"])
    counts = dict(Creator.objects.values_list("status").annotate(n=Count("id")).order_by())
    context = {
        "form": form,
        "page": _page(request, creators),
        "counts": [(value, label, counts.get(value, 0)) for value, label in Creator.Status.choices],
        "total": sum(counts.values()),
        "reconnect_count": Creator.objects.filter(credential__needs_reconnect=True).count(),
        "parent": account_services.parent_status(),
        "query": request.GET.copy(),
    }
    return render(request, "adoption/staff_home.html", context)


@require_GET
@staff_required(VIEW)
def creator_detail(request, pk: int):
    """One creator: profile facts, decisions, full timeline."""
    creator = get_object_or_404(Creator.objects.select_related("credential"), pk=pk)
    events = _page(request, creator.audit_events.select_related("actor"))
    return render(
        request,
        "adoption/creator_detail.html",
        {"creator": creator, "page": events, "reject_form": RejectForm()},
    )


@require_POST
@staff_required(DECIDE)
def creator_approve(request, pk: int):
    creator = get_object_or_404(Creator, pk=pk)
    try:
        adopted = services.creator_adopt(creator=creator, by=request.user)
    except services.DecisionFailed as exc:
        messages.error(request, f"{creator.username} was not approved: {exc}")
    else:
        text = "approved and adopted" if adopted else "was already adopted"
        messages.success(request, f"{creator.username} {text}.")
    return _back(request, "staff_home")


@require_http_methods(["GET", "POST"])
@staff_required(DECIDE)
def creator_reject(request, pk: int):
    """Ask for a reason, then reject (removing the creator from the network if adopted)."""
    creator = get_object_or_404(Creator, pk=pk)
    form = RejectForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.creator_reject(
                creator=creator, by=request.user, reason=form.cleaned_data["reason"]
            )
        except services.DecisionFailed as exc:
            messages.error(request, f"{creator.username} was not rejected: {exc}")
        else:
            messages.success(request, f"{creator.username} rejected.")
            return _back(request, "staff_home")
    context = {"creator": creator, "form": form, "next": request.GET.get("next", "")}
    return render(request, "adoption/reject.html", context, status=400 if form.errors else 200)


@require_POST
@staff_required(DECIDE)
def creator_verify(request, pk: int):
    """Ask Dailymotion, with the creator's token, whether they are our child."""
    creator = get_object_or_404(Creator, pk=pk)
    try:
        is_child = services.creator_verify(creator=creator, by=request.user)
    except services.DecisionFailed as exc:
        messages.error(request, f"Could not verify {creator.username}: {exc}")
    else:
        said = "is a child of the network" if is_child else "is NOT a child of the network"
        messages.info(request, f"Dailymotion says {creator.username} {said}.")
    return redirect("adoption_creator_detail", pk=pk)


@require_http_methods(["GET", "POST"])
@staff_required(DECIDE)
def creator_add(request):
    """Add an account the network controls with the password grant (password never stored)."""
    form = AddCreatorForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            result = account_services.creator_connect_with_password(
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
                by=request.user,
            )
        except account_services.ConnectError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"{result.creator.username} added (pending review).")
            return redirect("adoption_creator_detail", pk=result.creator.pk)
    return render(request, "adoption/add_creator.html", {"form": form})


@require_POST
@staff_required(DECIDE)
def bulk_start(request):
    form = BulkForm(request.POST)
    if not form.is_valid():
        errors = "; ".join(e for errs in form.errors.values() for e in errs)
        messages.error(request, f"Nothing was started: {errors}")
        return _back(request, "staff_home")
    job = services.bulk_start(
        action=form.cleaned_data["action"],
        creator_ids=[c.pk for c in form.cleaned_data["ids"]],
        by=request.user,
        reason=form.cleaned_data["reason"],
    )
    return redirect("adoption_bulk_detail", pk=job.pk)


@require_GET
@staff_required(VIEW)
def bulk_detail(request, pk: int):
    job = get_object_or_404(BulkJob, pk=pk)
    return render(request, "adoption/bulk.html", {"job": job})


@require_GET
@staff_required(VIEW)
def bulk_status(request, pk: int):
    job = get_object_or_404(BulkJob, pk=pk)
    fields = ("status", "total", "done", "failed", "percent", "errors")
    return JsonResponse({name: getattr(job, name) for name in fields})


@require_GET
@staff_required(VIEW)
def drift_list(request):
    """Differences between our records and Dailymotion, each with its one-click fixes."""
    drifts = Drift.objects.filter(resolved_at__isnull=True).select_related("creator")
    counts = dict(drifts.values_list("kind").annotate(n=Count("id")).order_by())
    context = {
        "page": _page(request, drifts),
        "counts": [(label, counts.get(value, 0)) for value, label in Drift.Kind.choices],
        "last_run": ReconcileRun.objects.first(),
    }
    return render(request, "adoption/drift.html", context)


@require_POST
@staff_required(DECIDE)
def drift_check(request):
    run = services.children_reconcile(by=request.user)
    if run.error:
        messages.error(request, f"The check failed: {run.error}")
    else:
        messages.success(
            request, f"{run.children_seen} children on Dailymotion, {run.differences} differences."
        )
    return redirect("adoption_drift")


@require_POST
@staff_required(DECIDE)
def drift_fix(request, pk: int):
    drift = get_object_or_404(Drift.objects.select_related("creator"), pk=pk)
    form = DriftFixForm(request.POST)
    try:
        if not form.is_valid():
            raise services.DecisionFailed("Unknown fix.")
        services.drift_fix(drift=drift, fix=form.cleaned_data["fix"], by=request.user)
    except services.DecisionFailed as exc:
        messages.error(request, f"{drift.username or drift.dailymotion_id}: {exc}")
    else:
        messages.success(request, f"{drift.username or drift.dailymotion_id}: fixed.")
    return redirect("adoption_drift")


@require_GET
@staff_required(VIEW)
def audit_list(request):
    """The whole audit trail, filterable by action, staff member and creator."""
    form = AuditFilterForm(request.GET)
    form.is_valid()
    events = AuditEvent.objects.select_related("actor", "creator")
    data = form.cleaned_data
    if data.get("action"):
        events = events.filter(action=data["action"])
    if data.get("actor"):
        events = events.filter(actor__username=data["actor"])
    if data.get("q"):
        events = events.filter(
            Q(creator__username__icontains=data["q"]) | Q(creator__dailymotion_id=data["q"])
        )
    context = {"form": form, "page": _page(request, events), "query": request.GET.copy()}
    return render(request, "adoption/audit.html", context)


@require_GET
@staff_required(DECIDE)
def parent_connect(request):
    """Staff connect the network's own Dailymotion account in the browser."""
    url = account_services.oauth_start(session=request.session, purpose=account_services.PARENT)
    return redirect(url)


@require_POST
@staff_required(DECIDE)
def parent_password(request):
    """Connect the parent with DAILYMOTION_PARENT_USERNAME/PASSWORD from the environment."""
    try:
        credential = account_services.parent_connect_with_password(by=request.user)
    except account_services.ConnectError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Parent account {credential.username} connected.")
    return redirect(reverse("staff_home"))


@require_POST
@staff_required(DECIDE)
def parent_check(request):
    """Read /auth again: which account and whether the key has the can-adopt-users role."""
    try:
        credential = account_services.parent_refresh_roles(by=request.user)
    except account_services.ConnectError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Parent roles: {credential.roles or 'none'}.")
    return redirect("staff_home")
