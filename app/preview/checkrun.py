"""The check run report (pure): conclusion, title, summary and line annotations.

One check run, `Manifold / composition`, covers every scope a commit is previewed in (each
project that includes the repository, or the repository alone). Per scope the summary holds
what the change does to the composition (base vs head) and the full Markdown report; the
whole summary stays within GitHub's 65,535 characters (cut at a line, open code fences and
`<details>` closed, with a note). Annotations point at the exact line of the problem, only
in files of the repository the check run is on; conflicts annotate every place of theirs in
that repository.

Conclusion: `success` when every scope composes without problems (warnings allowed);
otherwise `failure` when a scope in `enforced` mode has problems, else `neutral` — `off`,
`preview` and unbound repositories report, and never block.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from app.github.models import MAX_OUTPUT_TEXT, Annotation, AnnotationLevel, CheckRunOutput
from app.store import body_hash
from resolver.compare import CompositionDiff, render_diff_markdown
from resolver.composition import PreviewReport, render_markdown
from resolver.composition.markdown import md
from resolver.composition.text import plural
from resolver.diagnostics import Diagnostic

CHECK_NAME = "Manifold / composition"

#: a scope's multi_repo_mode, or `unbound` for a repository bound to no project
BLOCKING_MODE = "enforced"
MODE_NOTES = {
    "off": "`multi_repo_mode: off` — this repository composed alone; problems do not block",
    "preview": "`multi_repo_mode: preview` — problems are reported, never blocking",
    "enforced": "`multi_repo_mode: enforced` — problems fail this check",
    "unbound": "bound to no project — this repository composed alone; problems do not block",
}


@dataclass(frozen=True, slots=True)
class ScopeResult:
    """One scope's preview: the head report and what it changes against the base."""

    project: str
    mode: str  # off | preview | enforced | unbound
    alias: str  # the checked repository's alias in this scope
    report: PreviewReport
    diff: CompositionDiff

    @property
    def problems(self) -> int:
        return len(self.report.conflicts) + len(self.report.validation_errors)

    @property
    def blocking(self) -> bool:
        return self.mode == BLOCKING_MODE and not self.report.ok


@dataclass(frozen=True, slots=True)
class CheckRunReport:
    conclusion: str  # success | neutral | failure
    title: str
    summary: str
    annotations: tuple[Annotation, ...]

    def output(self) -> CheckRunOutput:
        return CheckRunOutput(self.title, self.summary, annotations=self.annotations)

    @property
    def digest(self) -> str:
        """Identifies what would be posted: an unchanged digest needs no new check run."""
        data = {
            "conclusion": self.conclusion,
            "title": self.title,
            "summary": self.summary,
            "annotations": [a.to_json() for a in self.annotations],
        }
        return body_hash(json.dumps(data, sort_keys=True))


def conclusion_of(results: Sequence[ScopeResult]) -> str:
    if any(r.blocking for r in results):
        return "failure"
    if all(r.report.ok for r in results):
        return "success"
    return "neutral"


def scope_verdict(result: ScopeResult) -> str:
    """A few words: `valid`, or the problems and whether they block."""
    report = result.report
    if report.ok:
        return "valid"
    parts = []
    if report.conflicts:
        parts.append(plural(len(report.conflicts), "conflict"))
    if report.validation_errors:
        parts.append(plural(len(report.validation_errors), "error"))
    blocking = "blocking" if result.blocking else "not blocking"
    return f"{', '.join(parts)} ({blocking})"


def _title(results: Sequence[ScopeResult]) -> str:
    if len(results) == 1:
        r = results[0]
        units = plural(len(r.report.execution_plan.steps), "unit")
        digest = r.report.manifest_hash.removeprefix("sha256:")[:12]
        return f"{r.project}: {scope_verdict(r)} · {units} · {digest}"
    bad = sum(1 for r in results if not r.report.ok)
    verdict = "all valid" if not bad else f"{bad} with problems"
    return f"{len(results)} projects: {verdict}"


def _scope_section(result: ScopeResult, *, many: bool) -> str:
    icon = "✅" if result.report.ok else ("❌" if result.blocking else "⚠️")
    head = [
        f"**{md(result.project)}** — {icon} {scope_verdict(result)}",
        "",
        MODE_NOTES.get(result.mode, result.mode) + f"; this repository is `{result.alias}`.",
        "",
        render_diff_markdown(result.diff),
    ]
    body = render_markdown(result.report)
    if many:  # one level down, so each project's report nests under its own heading
        body = "\n".join("#" + line if line.startswith("##") else line for line in body.split("\n"))
    return "\n".join(head) + "\n" + body


def fit_markdown(text: str, limit: int = MAX_OUTPUT_TEXT) -> str:
    """`text` cut to `limit` characters at a line boundary, still well-formed, with a note."""
    if len(text) <= limit:
        return text
    note = (
        f"\n\n… truncated: the report has {len(text):,} characters, more than GitHub's"
        f" {limit:,}. `manifold preview` shows all of it."
    )
    budget = limit - len(note) - 32  # room for the closers below
    cut = text[:budget]
    if "\n" in cut:
        cut = cut[: cut.rindex("\n")]
    closers = ""
    if sum(1 for line in cut.split("\n") if line.lstrip().startswith("```")) % 2:
        closers += "\n```"
    closers += "\n</details>" * max(0, cut.count("<details>") - cut.count("</details>"))
    return cut + closers + note


def build_check_run(results: Sequence[ScopeResult]) -> CheckRunReport:
    """The check run for `results` (at least one scope)."""
    many = len(results) > 1
    sections = [_scope_section(r, many=many) for r in results]
    summary = fit_markdown("\n\n---\n\n".join(sections))
    annotations: dict[tuple[object, ...], Annotation] = {}
    for result in results:
        prefix = f"[{result.project}] " if many else ""
        for annotation in annotations_for(result.report, result.alias, prefix=prefix):
            key = (annotation.path, annotation.start_line, annotation.start_column)
            annotations.setdefault((*key, annotation.level, annotation.message), annotation)
    ordered = sorted(
        annotations.values(),
        key=lambda a: (a.path, a.start_line, a.start_column or 0, a.level, a.message),
    )
    return CheckRunReport(conclusion_of(results), _title(results), summary, tuple(ordered))


def annotations_for(report: PreviewReport, alias: str, *, prefix: str = "") -> list[Annotation]:
    """Line annotations for the problems located in repository `alias`'s own files."""
    out: list[Annotation] = []
    for conflict in report.conflicts:
        places = conflict.locations or ()
        located = [(p.repository, p.path, p.line, p.column, p.chain) for p in places]
        d = conflict.diagnostic
        if not located:
            located = [(d.repository, d.path, d.line, d.column, d.chain)]
        for repository, path, line, column, chain in located:
            if repository == alias:
                elsewhere = [
                    p.short()
                    for p in places
                    if (p.repository, p.path, p.line, p.column) != (repository, path, line, column)
                ]
                extra = f" (also at {', '.join(elsewhere)})" if elsewhere else ""
                out += _annotation(d, path, line, column, chain, "failure", prefix, extra)
    for d in report.validation_errors:
        if d.repository == alias:
            out += _annotation(d, d.path, d.line, d.column, d.chain, "failure", prefix, "")
    for d in report.warnings:
        if d.repository == alias:
            out += _annotation(d, d.path, d.line, d.column, d.chain, "warning", prefix, "")
    return out


def _annotation(
    d: Diagnostic,
    path: str,
    line: int,
    column: int,
    chain: Iterable[str],
    level: AnnotationLevel,
    prefix: str,
    extra: str,
) -> list[Annotation]:
    if not path or line < 1 or path.startswith("/") or ".." in path.split("/"):
        return []  # not a line of a file in this repository: the summary reports it
    message = d.message + extra + (f"\nhint: {d.hint}" if d.hint else "")
    steps = list(chain)
    return [
        Annotation(
            path=path,
            start_line=line,
            end_line=line,
            level=level,
            message=message,
            title=f"{prefix}{d.code.value}/{d.reason}",
            start_column=column if column >= 1 else None,
            end_column=column if column >= 1 else None,
            raw_details=("imported via " + " → ".join(steps)) if steps else None,
        )
    ]
