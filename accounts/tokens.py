"""Stored OAuth tokens: clients for a creator or for the network's parent, with safe refresh.

A refresh spends the refresh token, so two workers must never both refresh the same credential:
the refresh happens under a row lock, and whoever gets the lock second finds the token already
replaced and uses it. The refresh call is the one Dailymotion HTTP call made while holding a
transaction (the brief allows it for exactly this lock); it has a timeout like every call.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from mcn_portal.lib.dailymotion import (
    DailymotionClient,
    DailymotionError,
    DailymotionOAuth,
    OAuthError,
    ReconnectRequired,
    StaticTokenSource,
    TokenSet,
)

from .models import Creator, DailymotionCredential

log = logging.getLogger("accounts.tokens")

# Refresh a little before the stated expiry so a token does not die between our check and the call.
EXPIRY_MARGIN = timedelta(seconds=60)
# Token endpoint errors that mean this grant is dead and only the person can renew it.
REVOKED_ERRORS = frozenset(
    {"invalid_grant", "invalid_token", "access_denied", "unauthorized_client"}
)


class ParentNotConnected(DailymotionError):
    """No parent token stored, and no DAILYMOTION_PARENT_USERNAME/PASSWORD to get one."""


def credential_save_tokens(
    *, credential: DailymotionCredential, tokens: TokenSet
) -> DailymotionCredential:
    """Store fresh tokens on a credential (encrypted under the newest key) and clear its errors."""
    credential.access_token = tokens.access_token
    # Dailymotion usually rotates the refresh token; when an answer carries none, the old one stays.
    if tokens.refresh_token:
        credential.refresh_token = tokens.refresh_token
    credential.expires_at = tokens.expires_at
    if tokens.scopes:
        credential.scope = " ".join(tokens.scopes)
    credential.needs_reconnect = False
    credential.last_error = ""
    credential.refreshed_at = timezone.now()
    credential.save()
    return credential


def parent_credential() -> DailymotionCredential | None:
    """The network's parent credential, if staff (or the password grant) connected it."""
    return DailymotionCredential.objects.filter(kind=DailymotionCredential.Kind.PARENT).first()


class StoredTokenSource:
    """TokenSource of one stored credential: proactive and on-demand refresh under a row lock."""

    def __init__(self, credential_id: int, *, oauth: DailymotionOAuth | None = None) -> None:
        self.credential_id = credential_id
        self._oauth = oauth
        self._token: str | None = None
        self._expires_at = None

    def __repr__(self) -> str:
        return f"StoredTokenSource(credential_id={self.credential_id})"

    @property
    def oauth(self) -> DailymotionOAuth:
        if self._oauth is None:
            self._oauth = DailymotionOAuth()
        return self._oauth

    def access_token(self) -> str:
        """The stored access token, refreshed first when it has expired (or is about to)."""
        if self._token is None:
            credential = DailymotionCredential.objects.get(pk=self.credential_id)
            if credential.needs_reconnect:
                raise ReconnectRequired(
                    _reconnect_message(credential), error_type="needs_reconnect"
                )
            self._token, self._expires_at = credential.access_token, credential.expires_at
        if self._expires_at is not None and self._expires_at <= timezone.now() + EXPIRY_MARGIN:
            return self.refresh(self._token)
        return self._token

    def refresh(self, stale_access_token: str) -> str:
        """A fresh access token: another worker's if it already refreshed, else a refresh grant."""
        failure = None
        with transaction.atomic():
            credential = DailymotionCredential.objects.select_for_update().get(
                pk=self.credential_id
            )
            replaced = credential.access_token != stale_access_token
            if replaced and not credential.needs_reconnect and not credential.is_expired:
                log.info("credential %s: already refreshed by another worker", credential.pk)
                return self._remember(credential)
            if credential.needs_reconnect:
                failure = _reconnect_message(credential)
            elif not credential.refresh_token:
                failure = "Dailymotion refused the access token and there is no refresh token."
            else:
                try:
                    tokens = self.oauth.refresh(refresh_token=credential.refresh_token)
                except OAuthError as exc:
                    if exc.error not in REVOKED_ERRORS:
                        # invalid_client & co. are our configuration, not this person's consent:
                        # marking every account "reconnect" would not help anyone.
                        raise
                    # invalid_grant can mean someone else spent this refresh token meanwhile (a
                    # reconnect, a worker that got the row before our lock): re-read before calling
                    # it a revocation.
                    current = DailymotionCredential.objects.get(pk=self.credential_id)
                    if current.refresh_token != credential.refresh_token or (
                        current.access_token != credential.access_token
                    ):
                        log.info("credential %s: refresh raced another writer", credential.pk)
                        return self._remember(current)
                    failure = f"Dailymotion refused to refresh the token: {exc.message}"
                else:
                    credential_save_tokens(credential=credential, tokens=tokens)
                    log.info("credential %s: refreshed", credential.pk)
                    return self._remember(credential)
        # Outside the atomic block so the mark survives the exception that follows.
        DailymotionCredential.objects.filter(pk=self.credential_id).update(
            needs_reconnect=True, last_error=failure, updated_at=timezone.now()
        )
        log.warning("credential %s: needs reconnect", self.credential_id)
        self._token = None
        raise ReconnectRequired(failure, error_type="needs_reconnect")

    def _remember(self, credential: DailymotionCredential) -> str:
        self._token, self._expires_at = credential.access_token, credential.expires_at
        return self._token


def _reconnect_message(credential: DailymotionCredential) -> str:
    who = credential.username or credential.dailymotion_id
    reason = f" ({credential.last_error})" if credential.last_error else ""
    return f"The Dailymotion account {who} must be connected again{reason}."


def client_for_creator(creator: Creator) -> DailymotionClient:
    """A client speaking with the creator's own token (adoption, their profile)."""
    credential = DailymotionCredential.objects.filter(creator=creator).only("pk").first()
    if credential is None:
        raise ReconnectRequired(
            f"The Dailymotion account {creator.username} has no stored token; "
            "it must connect again.",
            error_type="needs_reconnect",
        )
    return DailymotionClient(StoredTokenSource(credential.pk))


def client_for_parent() -> DailymotionClient:
    """A client with the network's parent token (children, rejection, revenues, uploads)."""
    credential = parent_credential()
    if credential is None:
        if not (settings.DAILYMOTION_PARENT_USERNAME and settings.DAILYMOTION_PARENT_PASSWORD):
            raise ParentNotConnected(
                "The network's parent Dailymotion account is not connected: a staff member must "
                "connect it, or DAILYMOTION_PARENT_USERNAME/PASSWORD must be set.",
                error_type="parent_not_connected",
            )
        credential = parent_connect_with_password()
    return DailymotionClient(StoredTokenSource(credential.pk))


def parent_connect_with_password(*, oauth: DailymotionOAuth | None = None) -> DailymotionCredential:
    """Password grant with DAILYMOTION_PARENT_USERNAME/PASSWORD, stored as the parent credential."""
    oauth = oauth or DailymotionOAuth()
    tokens = oauth.password_grant(
        username=settings.DAILYMOTION_PARENT_USERNAME,
        password=settings.DAILYMOTION_PARENT_PASSWORD,
        scopes=settings.DAILYMOTION_SCOPES,
    )
    info = DailymotionClient(StaticTokenSource(tokens.access_token)).auth()
    expected = settings.DAILYMOTION_PARENT_ID
    if expected and info.id != expected:
        raise DailymotionError(
            f"DAILYMOTION_PARENT_USERNAME signs in as {info.id}, but DAILYMOTION_PARENT_ID is "
            f"{expected}; nothing was stored.",
            error_type="parent_mismatch",
        )
    try:
        with transaction.atomic():
            credential = parent_credential() or DailymotionCredential(
                kind=DailymotionCredential.Kind.PARENT
            )
            credential.dailymotion_id = info.id
            credential.username = info.username
            credential.roles = " ".join(info.roles)
            if not tokens.scopes and info.scopes:
                credential.scope = " ".join(info.scopes)
            return credential_save_tokens(credential=credential, tokens=tokens)
    except IntegrityError:
        # Another worker stored the parent at the same moment: theirs is as good as ours.
        credential = parent_credential()
        if credential is None:
            raise
        return credential
