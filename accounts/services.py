"""Connecting Dailymotion accounts: creators (OAuth code or password grant) and the parent."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from mcn_portal.lib.dailymotion import (
    PROFILE_FIELDS,
    REVENUE_FIELDS,
    AuthInfo,
    DailymotionClient,
    DailymotionError,
    DailymotionOAuth,
    DailymotionUser,
    StaticTokenSource,
    TokenSet,
)

from . import tokens as dm_tokens
from .models import Creator, DailymotionCredential

SESSION_KEY = "dailymotion_oauth"
CREATOR, PARENT = "creator", "parent"
# The revenue fields the creator list shows; asked only when read_insights was granted.
TOTAL_REVENUE_FIELDS = tuple(f for f in REVENUE_FIELDS if f.endswith("_total"))


class ConnectError(Exception):
    """The connection failed; str() is a message for the person; nothing was stored."""


@dataclass
class ConnectResult:
    creator: Creator
    created: bool
    missing_scopes: list[str] = field(default_factory=list)


def redirect_uri() -> str:
    """Where Dailymotion sends the browser back; the key's registered callback URL."""
    return settings.PUBLIC_BASE_URL + reverse("connect_callback")


def oauth_start(*, session, purpose: str = CREATOR) -> str:
    """A Dailymotion consent URL with a fresh single-use state remembered in the session."""
    state = secrets.token_urlsafe(32)
    session[SESSION_KEY] = {"state": state, "purpose": purpose}
    return DailymotionOAuth().authorization_url(
        redirect_uri=redirect_uri(), state=state, scopes=settings.DAILYMOTION_SCOPES
    )


def oauth_state_take(*, session, state: str) -> str:
    """Check and spend the state; returns the purpose it was issued for (creator or parent)."""
    stored = session.pop(SESSION_KEY, None)
    # Bytes: compare_digest refuses str with non-ASCII characters, which anyone can send.
    expected = stored.get("state", "").encode() if stored else b""
    if not stored or not state or not secrets.compare_digest(expected, state.encode()):
        raise ConnectError(
            "This sign-in link has expired or was already used. Please start again from the "
            "Connect Dailymotion button."
        )
    return stored.get("purpose", CREATOR)


def oauth_exchange(*, code: str) -> TokenSet:
    """Exchange the authorization code; failures become a ConnectError a person can read."""
    if not code:
        raise ConnectError("Dailymotion did not send an authorization code. Please try again.")
    try:
        return DailymotionOAuth().exchange_code(code=code, redirect_uri=redirect_uri())
    except DailymotionError as exc:
        raise ConnectError(
            f"Dailymotion did not accept the sign-in ({exc.message}). Please try again."
        ) from exc


def creator_connect(*, code: str, state: str, session) -> ConnectResult:
    """The OAuth callback for a creator: state checked, code exchanged, creator stored."""
    oauth_state_take(session=session, state=state)
    return creator_store(token_set=oauth_exchange(code=code))


def creator_connect_with_password(*, username: str, password: str, by: User) -> ConnectResult:
    """An account the network controls: password grant; the password is used once, never stored."""
    try:
        token_set = DailymotionOAuth().password_grant(
            username=username, password=password, scopes=settings.DAILYMOTION_SCOPES
        )
    except DailymotionError as exc:
        raise ConnectError(f"Dailymotion refused these credentials: {exc.message}") from exc
    return creator_store(token_set=token_set, by=by)


def _profile_read(token_set: TokenSet) -> tuple[DailymotionUser, AuthInfo]:
    client = DailymotionClient(StaticTokenSource(token_set.access_token))
    try:
        info = client.auth()
        fields = list(PROFILE_FIELDS)
        if "read_insights" in (info.scopes or token_set.scopes):
            fields += TOTAL_REVENUE_FIELDS
        return client.me(fields=fields), info
    except DailymotionError as exc:
        raise ConnectError(
            f"Dailymotion did not let us read your profile ({exc.message}). Please try again."
        ) from exc


def creator_store(*, token_set: TokenSet, by: User | None = None) -> ConnectResult:
    """Create or update the creator keyed on the Dailymotion id; tokens saved; audited."""
    from adoption.models import AuditEvent
    from adoption.services import audit_record

    profile, info = _profile_read(token_set)
    granted = info.scopes or token_set.scopes
    revenues = [profile.revenues[f] for f in TOTAL_REVENUE_FIELDS if f in profile.revenues]
    facts = {
        "username": profile.username or info.username,
        "screenname": profile.screenname or info.screenname,
        "email": profile.email,
        "avatar_url": profile.avatar_url,
        "followers_total": profile.followers_total,
        "videos_total": profile.videos_total,
        "views_total": profile.views_total,
        "granted_scopes": " ".join(granted),
        "revenues_total": sum(revenues, Decimal(0)) if revenues else None,
        "connected_at": timezone.now(),
    }
    try:
        with transaction.atomic():
            creator, created = _creator_upsert(profile.id, facts)
    except IntegrityError:
        # The same account finished connecting twice at once: the other request created it.
        with transaction.atomic():
            creator, created = _creator_upsert(profile.id, facts)
    with transaction.atomic():
        credential = getattr(creator, "credential", None) or DailymotionCredential(
            kind=DailymotionCredential.Kind.CREATOR, creator=creator
        )
        credential.dailymotion_id = profile.id
        credential.username = facts["username"]
        credential.roles = " ".join(info.roles)
        credential.scope = " ".join(granted)
        dm_tokens.credential_save_tokens(credential=credential, tokens=token_set)
        if by is not None:
            action = AuditEvent.Action.ADDED
        else:
            action = AuditEvent.Action.CONNECTED if created else AuditEvent.Action.RECONNECTED
        audit_record(
            creator=creator,
            actor=by,
            action=action,
            from_status="" if created else creator.status,
            to_status=creator.status,
            note=f"Scopes granted: {' '.join(granted) or 'none'}",
        )
    return ConnectResult(creator=creator, created=created, missing_scopes=creator.missing_scopes)


def _creator_upsert(dailymotion_id: str, facts: dict) -> tuple[Creator, bool]:
    creator = (
        Creator.objects.select_for_update(of=("self",))
        .select_related("user", "credential")
        .filter(dailymotion_id=dailymotion_id)
        .first()
    )
    created = creator is None
    if created:
        creator = Creator(dailymotion_id=dailymotion_id)
    for name, value in facts.items():
        setattr(creator, name, value)
    if creator.user is None:
        user, new_user = User.objects.get_or_create(username=f"dm-{dailymotion_id}")
        if new_user:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        creator.user = user
    creator.save()
    return creator, created


# --- The parent account ------------------------------------------------------------------------
@dataclass
class ParentStatus:
    """What the staff home says about the network's own Dailymotion account."""

    credential: DailymotionCredential | None
    expected_id: str
    password_configured: bool

    @property
    def connected(self) -> bool:
        return self.credential is not None

    @property
    def can_adopt(self) -> bool:
        return bool(self.credential and "can-adopt-users" in self.credential.roles.split())

    @property
    def id_matches(self) -> bool:
        return bool(self.credential and self.credential.dailymotion_id == self.expected_id)


def parent_status() -> ParentStatus:
    """The stored parent credential and how it compares with the configuration (no HTTP call)."""
    return ParentStatus(
        credential=dm_tokens.parent_credential(),
        expected_id=settings.DAILYMOTION_PARENT_ID,
        password_configured=bool(
            settings.DAILYMOTION_PARENT_USERNAME and settings.DAILYMOTION_PARENT_PASSWORD
        ),
    )


def parent_connect_with_password(*, by: User | None) -> DailymotionCredential:
    """The parent token by password grant from DAILYMOTION_PARENT_USERNAME/PASSWORD."""
    from adoption.models import AuditEvent
    from adoption.services import audit_record

    try:
        credential = dm_tokens.parent_connect_with_password()
    except DailymotionError as exc:
        audit_record(actor=by, action=AuditEvent.Action.PARENT_FAILED, response=exc.message)
        raise ConnectError(f"The parent account could not connect: {exc.message}") from exc
    _parent_audit(credential, by)
    return credential


def parent_connect(*, code: str, by: User) -> DailymotionCredential:
    """The staff 'Connect parent account' OAuth flow, after the callback checked the state."""
    token_set = oauth_exchange(code=code)
    try:
        info = DailymotionClient(StaticTokenSource(token_set.access_token)).auth()
    except DailymotionError as exc:
        raise ConnectError(f"Dailymotion did not describe this account: {exc.message}") from exc
    try:
        with transaction.atomic():
            credential = dm_tokens.parent_credential() or DailymotionCredential(
                kind=DailymotionCredential.Kind.PARENT
            )
            credential.dailymotion_id = info.id
            credential.username = info.username
            credential.roles = " ".join(info.roles)
            credential.scope = " ".join(info.scopes or token_set.scopes)
            dm_tokens.credential_save_tokens(credential=credential, tokens=token_set)
    except IntegrityError as exc:
        raise ConnectError("Another parent account was connected at the same moment.") from exc
    _parent_audit(credential, by)
    return credential


def parent_refresh_roles(*, by: User | None) -> DailymotionCredential:
    """Ask /auth again which account and roles the stored parent token has."""
    credential = dm_tokens.parent_credential()
    if credential is None:
        raise ConnectError("No parent account is connected.")
    try:
        info = dm_tokens.client_for_parent().auth()
    except DailymotionError as exc:
        raise ConnectError(f"Dailymotion did not answer: {exc.message}") from exc
    credential.dailymotion_id, credential.username = info.id, info.username
    credential.roles = " ".join(info.roles)
    credential.save(update_fields=["dailymotion_id", "username", "roles", "updated_at"])
    return credential


def _parent_audit(credential: DailymotionCredential, by: User | None) -> None:
    from adoption.models import AuditEvent
    from adoption.services import audit_record

    audit_record(
        actor=by,
        action=AuditEvent.Action.PARENT_CONNECTED,
        note=f"{credential.username} ({credential.dailymotion_id}); roles: "
        f"{credential.roles or 'none'}",
    )
