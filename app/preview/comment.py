"""The sticky pull-request comment (pure): one per pull request, short, found by its marker.

It says only what a reviewer needs at a glance — per scope the verdict, the effective
manifest hash and a one-line diff against the base — and links to the check run, which
holds the details. The hidden marker is how Manifold finds its comment again to edit it.
"""

from __future__ import annotations

from collections.abc import Sequence

from app.preview.checkrun import ScopeResult, conclusion_of, scope_verdict
from resolver.compare import summarize_diff
from resolver.composition.markdown import md

MARKER = "<!-- manifold:preview -->"
_ICONS = {"success": "✅", "neutral": "⚠️", "failure": "❌"}
_HEADLINES = {
    "success": "the composition is valid",
    "neutral": "the composition has problems (not blocking)",
    "failure": "the composition has problems (blocking)",
}


def _line(result: ScopeResult) -> str:
    icon = "✅" if result.report.ok else ("❌" if result.blocking else "⚠️")
    digest = result.report.manifest_hash.removeprefix("sha256:")[:12] or "—"
    return (
        f"- {icon} **{md(result.project)}** ({result.mode}): {scope_verdict(result)}"
        f" · manifest `{digest}` · {summarize_diff(result.diff)}"
    )


def render_comment(results: Sequence[ScopeResult], *, head_sha: str, check_run_url: str) -> str:
    conclusion = conclusion_of(results)
    link = f"[details in the check run]({check_run_url})" if check_run_url else "details"
    lines = [
        MARKER,
        f"**Manifold** {_ICONS[conclusion]} {_HEADLINES[conclusion]} at `{head_sha[:7]}` — {link}",
        "",
        *(_line(r) for r in results),
        "",
        "<sub>Edited in place on every push. Commands: `/manifold help`.</sub>",
    ]
    return "\n".join(lines) + "\n"
