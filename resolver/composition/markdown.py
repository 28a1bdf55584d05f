"""`render_markdown`: what a pull request's check run shows for a composition.

A verdict and summary table, the import graph as a Mermaid diagram, then tables for the
problems, the execution plan, the docs graph and the checkout plan. All user data is
escaped: Markdown/HTML specials in table cells, and everything but a safe character set in
Mermaid labels (written as Mermaid entity codes). Long tables are cut with "… and N more"
so the text stays under GitHub's size limits. Deterministic. Pure.
"""

from __future__ import annotations

import re

from resolver.composition.planmodel import ExecutionPlan
from resolver.composition.report import PreviewReport
from resolver.composition.text import MODES, plural
from resolver.diagnostics import Diagnostic

MAX_ROWS = 100
_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~])")
# `@name` would mention someone and `#12` link an issue when the text is a PR comment
_ENTITIES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "@": "&#64;", "#": "&#35;"})
_MERMAID_SAFE = re.compile(r"[A-Za-z0-9 ._:/@-]")


def md(text: object) -> str:
    """Escape text for a Markdown table cell (no formatting, no HTML, one line)."""
    value = _MD_SPECIAL.sub(r"\\\1", str(text)).translate(_ENTITIES)
    return value.replace("\r", "").replace("\n", "<br>")


def mermaid(text: str) -> str:
    """Escape text for a quoted Mermaid label: unsafe characters as `#<code>;`."""
    return "".join(ch if _MERMAID_SAFE.fullmatch(ch) else f"#{ord(ch)};" for ch in text)


def _code(text: str) -> str:
    return f"`{text}`" if re.fullmatch(r"[A-Za-z0-9:._/@-]*", text) and text else md(text)


def table(header: list[str], rows: list[list[str]]) -> list[str]:
    """A Markdown table, cut at `MAX_ROWS` rows with a note."""
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(row) + " |" for row in rows[:MAX_ROWS]]
    if len(rows) > MAX_ROWS:
        out.append(f"\n… and {len(rows) - MAX_ROWS} more")
    return out


def plan_table(plan: ExecutionPlan) -> list[str]:
    """The plan's steps as a table, then the units skipped and why."""
    steps = [
        [
            str(n + 1),
            str(s.wave),
            md(s.unit),
            s.kind,
            md(s.group or "—"),
            md(s.repository),
            md(", ".join(s.depends_on) or "—"),
        ]
        for n, s in enumerate(plan.steps)
    ]
    header = ["#", "wave", "unit", "kind", "group", "repository", "depends on"]
    out = table(header, steps) if steps else ["No units to apply."]
    if plan.skipped:
        out += ["", "Skipped: " + "; ".join(f"{md(s.unit)} ({md(s.reason)})" for s in plan.skipped)]
    return out


def _graph(report: PreviewReport) -> list[str]:
    nodes: dict[tuple[str, str], str] = {}
    labels: dict[tuple[str, str], str] = {}
    root_key = (report.root_repository or "", "")
    for record in report.imports:
        labels[(record.repository, record.path)] = (
            f"{record.repository}:{record.path} @ {record.ref or 'HEAD'} "
            f"{record.resolved_commit[:12]}"
        )
        for importer in record.imported_by:
            labels.setdefault(
                (importer.repository, importer.path),
                f"{importer.repository}:{importer.path}" if importer.repository else importer.path,
            )
    if not labels:
        if report.root_repository is None:
            return []
        labels[root_key] = report.root_repository
    for number, key in enumerate(sorted(labels)):
        nodes[key] = f"n{number}"
    out = ["```mermaid", "graph TD"]
    for key in sorted(labels):
        out.append(f'  {nodes[key]}["{mermaid(labels[key])}"]')
    for record in report.imports:
        for importer in record.imported_by:
            source = nodes[(importer.repository, importer.path)]
            target = nodes[(record.repository, record.path)]
            style = "-->" if record.required else "-.->"
            out.append(f'  {source} {style}|"{mermaid(record.ref or "HEAD")}"| {target}')
    out.append("```")
    return out


def _problem_rows(report: PreviewReport) -> list[list[str]]:
    rows = []

    def row(kind: str, d: Diagnostic, more: str = "") -> list[str]:
        where = d.location() or "(project)"
        hint = md(d.hint) if d.hint else ""
        if d.chain:
            hint += ("<br>" if hint else "") + "via " + md(" → ".join(d.chain))
        return [kind, _code(d.code.value), _code(d.reason), md(where) + more, md(d.message), hint]

    for conflict in report.conflicts:
        others = "".join(f"<br>and {md(loc.short())}" for loc in conflict.locations[1:])
        rows.append(row("❌ conflict", conflict.diagnostic, others))
    rows += [row("❌ error", d) for d in report.validation_errors]
    rows += [row("⚠️ warning", d) for d in report.warnings]
    return rows


def render_markdown(report: PreviewReport) -> str:
    plan = report.execution_plan
    docs = report.docs
    verdict = "✅ composition is valid" if report.ok else "❌ composition is invalid"
    root = f" `{report.root_repository}`" if report.root_repository else ""
    out = [
        f"## Manifold preview — {md(report.project or '(unnamed)')}: {verdict}",
        "",
        "| | |",
        "|---|---|",
        f"| Entry point | {MODES.get(report.mode, report.mode)}{root} |",
        f"| Environment | {md(plan.environment)} → namespace {md(plan.namespace)} |",
        f"| Imports | {plural(len(report.imports), 'fragment')} |",
        f"| Plan | {plural(len(plan.steps), 'unit')} in {plural(len(plan.waves), 'wave')}"
        f"{f', {len(plan.skipped)} skipped' if plan.skipped else ''} |",
        f"| Docs | showing {docs.shown} of {docs.total} (role {md(docs.role or 'any')}) |",
        f"| Problems | {plural(len(report.conflicts), 'conflict')}, "
        f"{plural(len(report.validation_errors), 'error')}, "
        f"{plural(len(report.warnings), 'warning')} |",
        f"| Manifest | `{report.manifest_hash}` |",
        "",
    ]
    problems = _problem_rows(report)
    if problems:
        out += ["### Problems", ""]
        out += table(["", "code", "reason", "where", "message", "hint"], problems)
        out.append("")
    graph = _graph(report)
    if graph:
        out += ["### Import graph", "", *graph, ""]
    out += ["### Execution plan", "", *plan_table(plan)]
    out += ["", f"### Docs (showing {docs.shown} of {docs.total})", ""]
    rows = [
        [
            str(s.priority + 1),
            s.tier,
            md(s.repository),
            md(s.path),
            md(", ".join(s.roles) or "all"),
            "yes" if s.optional else "no",
            _code(s.resolved_commit[:12]),
        ]
        for s in docs.sources
    ]
    out += table(["#", "tier", "repository", "path", "roles", "optional", "commit"], rows)
    if docs.shadowed:
        out += [
            "",
            "Shadowed: "
            + "; ".join(
                f"{md(s.repository)}:{md(s.path)} by {md(s.shadowed_by)}:{md(s.winner_path)}"
                for s in docs.shadowed
            ),
        ]
    out += ["", "<details><summary>Checkout plan</summary>", ""]
    rows = [
        [
            md(e.repository),
            md(f"{e.owner}/{e.name}" if e.owner else e.name),
            _code(e.commit[:12]),
            md(", ".join(e.paths)),
        ]
        for e in report.checkout_plan
    ]
    out += table(["repository", "GitHub", "commit", "paths"], rows)
    out += ["", "</details>", ""]
    return "\n".join(out)
