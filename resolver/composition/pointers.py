"""JSON pointers (RFC 6901) built fast: most tokens need no escaping, so skip it for them."""

from __future__ import annotations


def child(base: str, *tokens: str | int) -> str:
    """`base` + `/token` for each token, escaping `~` and `/` only where present."""
    out = base
    for token in tokens:
        text = str(token)
        if "~" in text or "/" in text:
            text = text.replace("~", "~0").replace("/", "~1")
        out = f"{out}/{text}"
    return out
