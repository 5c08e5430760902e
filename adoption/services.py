"""Staff decisions on creators, and keeping our records in step with Dailymotion."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from accounts import tokens as dm_tokens
from accounts.models import Creator
from mcn_portal.lib.dailymotion import (
    AccessForbidden,
    DailymotionError,
    DailymotionUnavailable,
    InvalidToken,
    NotFound,
    RateLimited,
    ReconnectRequired,
)
from mcn_portal.lib.queue import enqueue_on_commit

from .models import AuditEvent, BulkJob, Drift, ReconcileRun

log = logging.getLogger("adoption")
Status = Creator.Status
# Longer than any Dailymotion call can take with its retries: a claim older than this was left
# by a worker that died, and may be taken again.
CLAIM_TTL = timedelta(minutes=5)


class DecisionFailed(Exception):
    """A decision could not be carried out; str() says why, in words staff understand."""


def human_message(exc: DailymotionError) -> str:
    """Dailymotion's answer, explained for a person."""
    said = f" (Dailymotion said: {exc.message})" if exc.message else ""
    if isinstance(exc, dm_tokens.ParentNotConnected):
        return exc.message
    if isinstance(exc, ReconnectRequired | InvalidToken):
        return (
            "The Dailymotion authorisation is no longer valid and could not be renewed: "
            f"the account must be connected again{said}."
        )
    if isinstance(exc, AccessForbidden):
        return (
            "Dailymotion refused the request. The network's API key may lack the "
            f"can-adopt-users role, or the creator did not grant the needed permission{said}."
        )
    if isinstance(exc, RateLimited):
        return f"Dailymotion asked us to slow down; please try again in a minute{said}."
    if isinstance(exc, DailymotionUnavailable):
        return f"Dailymotion is not answering right now; please try again in a few minutes{said}."
    if isinstance(exc, NotFound):
        return f"Dailymotion does not know this account{said}."
    return f"Dailymotion refused the request{said}."


def audit_record(
    *,
    action: str,
    creator: Creator | None = None,
    actor: User | None = None,
    from_status: str = "",
    to_status: str = "",
    note: str = "",
    response: str = "",
) -> AuditEvent:
    """Keep one line of the audit trail."""
    return AuditEvent.objects.create(
        creator=creator,
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        from_status=from_status,
        to_status=to_status,
        note=note,
        dailymotion_response=response,
    )


def _parent_id() -> str:
    if not settings.DAILYMOTION_PARENT_ID:
        raise DecisionFailed("DAILYMOTION_PARENT_ID is not configured.")
    return settings.DAILYMOTION_PARENT_ID


def _claim(creator: Creator, status: str) -> bool:
    """Take the creator for one decision; False when not in `status` or someone else holds it."""
    now = timezone.now()
    taken = (
        Creator.objects.filter(pk=creator.pk, status=status)
        .filter(Q(decision_claimed_at__isnull=True) | Q(decision_claimed_at__lt=now - CLAIM_TTL))
        .update(decision_claimed_at=now)
    )
    return taken == 1


def _claim_refused(creator: Creator, wanted: str, verb: str) -> DecisionFailed:
    creator.refresh_from_db()
    if creator.status == wanted:
        return DecisionFailed(
            "Another staff member is deciding on this creator right now; reload in a moment."
        )
    return DecisionFailed(f"This creator is {creator.get_status_display().lower()}: {verb}.")


def _release(creator: Creator, **fields) -> None:
    Creator.objects.filter(pk=creator.pk).update(decision_claimed_at=None, **fields)


def _status_set(creator: Creator, status: str, **fields) -> None:
    now = timezone.now()
    fields = {"status": status, "status_changed_at": now, "updated_at": now, **fields}
    _release(creator, **fields)
    for name, value in fields.items():
        setattr(creator, name, value)
    creator.decision_claimed_at = None


def creator_adopt(*, creator: Creator, by: User | None) -> bool:
    """Adopt a pending creator with their own token; True if this call adopted them.

    Only one call gets the claim, so double clicks and two staff members adopt once.
    """
    parent_id = _parent_id()
    if not _claim(creator, Status.PENDING):
        creator.refresh_from_db()
        if creator.status == Status.ADOPTED:
            return False
        raise _claim_refused(creator, Status.PENDING, "only pending creators can be approved")
    try:
        dm_tokens.client_for_creator(creator).adopt(parent_id)
    except DailymotionError as exc:
        message = human_message(exc)
        _release(creator, decision_error=message)
        creator.decision_error = message
        audit_record(
            creator=creator,
            actor=by,
            action=AuditEvent.Action.ADOPT_FAILED,
            from_status=Status.PENDING,
            to_status=Status.PENDING,
            response=exc.message or type(exc).__name__,
        )
        raise DecisionFailed(message) from exc
    except BaseException:
        _release(creator)
        raise
    with transaction.atomic():
        _status_set(creator, Status.ADOPTED, decision_error="", rejection_reason="")
        audit_record(
            creator=creator,
            actor=by,
            action=AuditEvent.Action.ADOPTED,
            from_status=Status.PENDING,
            to_status=Status.ADOPTED,
            response=f"POST /me/parents/{parent_id}: OK",
        )
        _notify_later(creator, "adopted")
    return True


def creator_reject(*, creator: Creator, by: User | None, reason: str) -> bool:
    """Reject a pending creator, or remove an adopted one with the parent's token then reject."""
    reason = reason.strip()
    if not reason:
        raise DecisionFailed("Please give a reason for the rejection.")
    creator.refresh_from_db()
    if creator.status == Status.REJECTED:
        return False
    was = creator.status
    if not _claim(creator, was):
        raise _claim_refused(creator, was, "nothing to reject")
    response, action = "", AuditEvent.Action.REJECTED
    if was == Status.ADOPTED:
        action = AuditEvent.Action.REMOVED
        try:
            dm_tokens.client_for_parent().remove_child(creator.dailymotion_id)
            response = f"DELETE /me/children/{creator.dailymotion_id}: OK"
        except NotFound as exc:
            # Already gone from the network on Dailymotion's side: the rejection still stands.
            response = f"Not a child any more: {exc.message}"
        except DailymotionError as exc:
            message = human_message(exc)
            _release(creator, decision_error=message)
            creator.decision_error = message
            audit_record(
                creator=creator,
                actor=by,
                action=AuditEvent.Action.REMOVE_FAILED,
                from_status=was,
                to_status=was,
                note=reason,
                response=exc.message or type(exc).__name__,
            )
            raise DecisionFailed(message) from exc
        except BaseException:
            _release(creator)
            raise
    with transaction.atomic():
        _status_set(creator, Status.REJECTED, rejection_reason=reason, decision_error="")
        audit_record(
            creator=creator,
            actor=by,
            action=action,
            from_status=was,
            to_status=Status.REJECTED,
            note=reason,
            response=response,
        )
        _notify_later(creator, "rejected")
    return True


def creator_verify(*, creator: Creator, by: User | None) -> bool:
    """Ask Dailymotion, with the creator's token, whether they are a child of our parent."""
    parent_id = _parent_id()
    try:
        is_child = dm_tokens.client_for_creator(creator).is_child_of(parent_id)
    except DailymotionError as exc:
        audit_record(
            creator=creator,
            actor=by,
            action=AuditEvent.Action.VERIFY_FAILED,
            from_status=creator.status,
            to_status=creator.status,
            response=exc.message or type(exc).__name__,
        )
        raise DecisionFailed(human_message(exc)) from exc
    agrees = is_child == (creator.status == Status.ADOPTED)
    audit_record(
        creator=creator,
        actor=by,
        action=AuditEvent.Action.VERIFIED,
        from_status=creator.status,
        to_status=creator.status,
        note=("a child of " if is_child else "not a child of ")
        + parent_id
        + ("; our records agree" if agrees else "; our records DISAGREE (see Drift)"),
        response=f"GET /me/parents/{parent_id}: {'found' if is_child else 'not found'}",
    )
    return is_child


# --- E-mail -----------------------------------------------------------------------------------
def _notify_later(creator: Creator, decision: str) -> None:
    if not creator.email:
        return
    from .tasks import notify_decision

    enqueue_on_commit(notify_decision, creator.pk, decision)


def creator_notify(*, creator: Creator, decision: str) -> None:
    """E-mail the creator that they were adopted or rejected."""
    context = {"creator": creator, "base_url": settings.PUBLIC_BASE_URL}
    subject = render_to_string(f"emails/creator_{decision}_subject.txt", context).strip()
    body = render_to_string(f"emails/creator_{decision}.txt", context)
    send_mail(subject, body, None, [creator.email])


# --- Bulk decisions ---------------------------------------------------------------------------
def bulk_start(*, action: str, creator_ids: list[int], by: User, reason: str = "") -> BulkJob:
    """Record a bulk approve/reject and queue it once the request's transaction commits."""
    from .tasks import bulk_run as bulk_task

    ids = list(
        Creator.objects.filter(pk__in=creator_ids).order_by("pk").values_list("pk", flat=True)
    )
    job = BulkJob.objects.create(
        action=action, creator_ids=ids, total=len(ids), reason=reason, created_by=by
    )
    enqueue_on_commit(bulk_task, job.pk)
    return job


def bulk_run(*, job: BulkJob) -> BulkJob:
    """Decide on each creator of the job, saving progress after each; resumes where it stopped."""
    if job.status == BulkJob.Status.FINISHED:
        return job
    resuming = job.status == BulkJob.Status.RUNNING
    remaining = job.creator_ids[job.processed :]
    if resuming and remaining:
        # Our dead run (worker killed mid-decision) may still hold this creator's claim;
        # deciding again is safe: POST /me/parents and DELETE /me/children are idempotent.
        Creator.objects.filter(pk=remaining[0]).update(decision_claimed_at=None)
    job.status = BulkJob.Status.RUNNING
    job.save(update_fields=["status"])
    creators = Creator.objects.in_bulk(job.creator_ids)
    for creator_id in job.creator_ids[job.processed :]:
        creator = creators.get(creator_id)
        try:
            if creator is None:
                raise DecisionFailed("This creator no longer exists.")
            if job.action == BulkJob.Action.APPROVE:
                creator_adopt(creator=creator, by=job.created_by)
            else:
                creator_reject(creator=creator, by=job.created_by, reason=job.reason)
        except DecisionFailed as exc:
            job.failed += 1
            label = creator.username if creator else f"#{creator_id}"
            job.errors = [*job.errors, {"creator": label, "message": str(exc)}]
        else:
            job.done += 1
        job.save(update_fields=["done", "failed", "errors"])
    job.status, job.finished_at = BulkJob.Status.FINISHED, timezone.now()
    job.save(update_fields=["status", "finished_at"])
    return job


# --- Reconciliation with Dailymotion ----------------------------------------------------------
def children_reconcile(*, by: User | None = None) -> ReconcileRun:
    """Compare every child of the parent on Dailymotion with our records; keep the differences."""
    run = ReconcileRun.objects.create(requested_by=by)
    try:
        parent_id = _parent_id()
        children = {
            child.id: child.username
            for child in dm_tokens.client_for_parent().children(
                parent_id, fields=("id", "username")
            )
        }
    except (DailymotionError, DecisionFailed) as exc:
        run.error = human_message(exc) if isinstance(exc, DailymotionError) else str(exc)
        run.finished_at = timezone.now()
        run.save(update_fields=["error", "finished_at"])
        audit_record(actor=by, action=AuditEvent.Action.RECONCILED, note=f"Failed: {run.error}")
        return run

    run.children_seen = len(children)
    found: dict[str, tuple[str, int | None, str]] = {}
    ours = Creator.objects.values_list("dailymotion_id", "pk", "status", "username")
    for dailymotion_id, pk, status, username in ours.iterator(chunk_size=5000):
        is_child = children.pop(dailymotion_id, None) is not None
        if status == Status.ADOPTED and not is_child:
            found[dailymotion_id] = (Drift.Kind.MISSING_CHILD, pk, username)
        elif status == Status.REJECTED and is_child:
            found[dailymotion_id] = (Drift.Kind.REJECTED_STILL_CHILD, pk, username)
        elif status == Status.PENDING and is_child:
            found[dailymotion_id] = (Drift.Kind.NOT_ADOPTED_HERE, pk, username)
    for dailymotion_id, username in children.items():
        found[dailymotion_id] = (Drift.Kind.UNKNOWN_CHILD, None, username)

    now = timezone.now()
    with transaction.atomic():
        still_open = set()
        gone = []
        for drift in Drift.objects.filter(resolved_at__isnull=True).only(
            "pk", "dailymotion_id", "kind"
        ):
            if found.get(drift.dailymotion_id, ("",))[0] == drift.kind:
                still_open.add(drift.dailymotion_id)
            else:
                drift.resolved_at, drift.resolution = now, "gone"
                gone.append(drift)
        Drift.objects.bulk_update(gone, ["resolved_at", "resolution"], batch_size=1000)
        Drift.objects.bulk_create(
            [
                Drift(kind=kind, dailymotion_id=dm_id, creator_id=pk, username=username)
                for dm_id, (kind, pk, username) in found.items()
                if dm_id not in still_open
            ],
            batch_size=1000,
        )
    run.differences, run.finished_at = len(found), timezone.now()
    run.save(update_fields=["children_seen", "differences", "finished_at"])
    audit_record(
        actor=by,
        action=AuditEvent.Action.RECONCILED,
        note=f"{run.children_seen} children on Dailymotion, {run.differences} differences",
    )
    return run


def drift_fix(*, drift: Drift, fix: str, by: User | None) -> Drift:
    """Apply one of the fixes offered for a difference, audit it, and close the difference."""
    if drift.resolved_at is not None:
        raise DecisionFailed("This difference was already dealt with.")
    if fix not in dict(drift.fixes):
        raise DecisionFailed("That fix does not apply to this difference.")
    creator = drift.creator
    was = creator.status if creator else ""
    response = ""
    try:
        if fix == Drift.Fix.READOPT:
            dm_tokens.client_for_creator(creator).adopt(_parent_id())
            response = "re-adopted: OK"
        elif fix == Drift.Fix.REMOVE_CHILD:
            dm_tokens.client_for_parent().remove_child(drift.dailymotion_id)
            response = f"DELETE /me/children/{drift.dailymotion_id}: OK"
    except DailymotionError as exc:
        message = human_message(exc)
        drift.last_error = message
        drift.save(update_fields=["last_error"])
        audit_record(
            creator=creator,
            actor=by,
            action=AuditEvent.Action.DRIFT_FIXED,
            from_status=was,
            to_status=was,
            note=f"{Drift.Fix(fix).label} failed",
            response=exc.message,
        )
        raise DecisionFailed(message) from exc
    with transaction.atomic():
        action = AuditEvent.Action.DRIFT_FIXED
        if fix == Drift.Fix.IMPORT:
            creator, _ = Creator.objects.get_or_create(
                dailymotion_id=drift.dailymotion_id,
                defaults={"username": drift.username or drift.dailymotion_id},
            )
            if creator.status != Status.ADOPTED:
                _status_set(creator, Status.ADOPTED)
            drift.creator, action = creator, AuditEvent.Action.IMPORTED
        elif fix == Drift.Fix.MARK_ADOPTED:
            _status_set(creator, Status.ADOPTED, rejection_reason="")
        elif fix == Drift.Fix.MARK_REMOVED:
            _status_set(
                creator,
                Status.REJECTED,
                rejection_reason="No longer a child of the network on Dailymotion.",
            )
        audit_record(
            creator=creator,
            actor=by,
            action=action,
            from_status=was,
            to_status=creator.status if creator else "",
            note=f"{drift.get_kind_display()}: {Drift.Fix(fix).label}",
            response=response,
        )
        drift.resolved_at, drift.resolution, drift.last_error = timezone.now(), fix, ""
        drift.resolved_by = by if by is not None and by.is_authenticated else None
        drift.save()
    return drift
