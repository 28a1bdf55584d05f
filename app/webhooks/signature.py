"""Webhook signature verification (`X-Hub-Signature-256`), against every configured secret.

Pure: no I/O. Several secrets are accepted at once so a secret can be rotated without
dropping deliveries (configure old and new, change it on GitHub, then remove the old one).
The check compares against every secret, in constant time each, without stopping at the
first match, so the response time says nothing about which secret (or how much of a
signature) matched. Only SHA-256 signatures are accepted; GitHub sends them on every
delivery, and the legacy SHA-1 `X-Hub-Signature` is not worth the weaker guarantee.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence

SIGNATURE_HEADER = "X-Hub-Signature-256"
_PREFIX = "sha256="


def sign(body: bytes, secret: str) -> str:
    """The header value GitHub computes for `body` with `secret`."""
    return _PREFIX + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify_signature(body: bytes, signature: str | None, secrets: Sequence[str]) -> bool:
    """True when `signature` is `body`'s SHA-256 HMAC under at least one of `secrets`."""
    if not signature or not secrets:
        return False
    given = signature.strip().encode("ascii", "replace")
    matched = False
    for secret in secrets:
        expected = sign(body, secret).encode()
        # `|=` rather than `or`: every secret is checked, whatever matched before.
        matched |= hmac.compare_digest(given, expected)
    return matched
