"""Keep OAuth tokens and secrets out of log lines."""

from __future__ import annotations

import logging
import re

_PATTERNS = [
    re.compile(r"(?i)(bearer|oauth)\s+[A-Za-z0-9._~+/=-]+"),
    re.compile(
        r"(?i)((?:access_token|refresh_token|client_secret|password|token|code)[\"']?\s*[=:]\s*[\"']?)"
        r"[^&\s\"',}]+"
    ),
]


def redact(text: str) -> str:
    """Return text with anything that looks like a credential replaced by [redacted]."""
    text = _PATTERNS[0].sub(lambda m: f"{m.group(1)} [redacted]", text)
    return _PATTERNS[1].sub(lambda m: f"{m.group(1)}[redacted]", text)


class RedactSecretsFilter(logging.Filter):
    """A logging filter that rewrites each record's message through redact()."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True
