"""Encryption of secrets at rest: MultiFernet over TOKEN_ENCRYPTION_KEY (newest key first)."""

from __future__ import annotations

from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models


@cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key.encode()) for key in keys])


def fernet() -> MultiFernet:
    """The MultiFernet for the configured keys: encrypts with the first, decrypts with any."""
    return _fernet(tuple(settings.TOKEN_ENCRYPTION_KEYS))


def encrypt(plaintext: str) -> str:
    return fernet().encrypt(plaintext.encode()).decode()


def decrypt(ciphertext: str) -> str:
    try:
        return fernet().decrypt(ciphertext.encode()).decode()
    except InvalidToken as exc:
        raise ValueError(
            "A stored secret cannot be decrypted with any TOKEN_ENCRYPTION_KEY; "
            "was a key removed before its tokens were rotated?"
        ) from exc


def needs_rotation(ciphertext: str) -> bool:
    """True when ciphertext was not written under the newest key."""
    newest = Fernet(settings.TOKEN_ENCRYPTION_KEYS[0].encode())
    try:
        newest.decrypt(ciphertext.encode())
    except InvalidToken:
        return True
    return False


class EncryptedTextField(models.TextField):
    """A TextField stored as Fernet ciphertext; Python code sees plaintext.

    Every save encrypts under the newest key, so a row written under an old key
    is re-encrypted the next time it is saved.
    """

    def from_db_value(self, value, expression, connection):
        if value in (None, ""):
            return value
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value in (None, ""):
            return value
        return encrypt(value)
