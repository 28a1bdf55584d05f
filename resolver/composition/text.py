"""`render_text`: a preview for a terminal — verdict, imports, plan, docs, checkout, problems.

Plain text, no colour codes (pipe it anywhere), stable for the same report. Pure.
"""

from __future__ import annotations

from resolver.composition.report import PreviewReport
from resolver.diagnostics import Diagnostic

MODES = {"monorepo": "monorepo", "virtual_root": "virtual root", "explicit_root": "explicit root"}


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


def _problem(kind: str, diagnostic: Diagnostic, extra: list[str]) -> list[str]:
    where = diagnostic.location() or "(project)"
    lines = [
        f"  {kind} {diagnostic.code.value}/{diagnostic.reason} at {where}",
        f"      {diagnostic.message}",
    ]
    lines.extend(f"      {line}" for line in extra)
    if diagnostic.hint:
        lines.append(f"      hint: {diagnostic.hint}")
    if diagnostic.chain:
        lines.append("      via: " + " → ".join(diagnostic.chain))
    return lines


def render_text(report: PreviewReport) -> str:
    plan = report.execution_plan
    verdict = "valid" if report.ok else "INVALID"
    root = f" ({report.root_repository})" if report.root_repository else ""
    out = [
        f"manifold preview: project {report.project or '(unnamed)'} — {verdict}",
        f"  entry point: {MODES.get(report.mode, report.mode)}{root}",
        f"  environment: {plan.environment} → namespace {plan.namespace}",
        f"  manifest: {report.manifest_hash}",
        "",
        f"imports ({len(report.imports)}):",
    ]
    for record in report.imports:
        flag = "required" if record.required else "optional"
        out.append(
            f"  {record.repository}:{record.path} @ {record.ref or 'HEAD'} "
            f"({record.resolved_commit[:12]}) {flag}"
        )
        out.append(f"      via {' → '.join(record.chain)}")
    if not report.imports:
        out.append("  (none)")
    out += ["", f"plan ({len(plan.steps)} units in {len(plan.waves)} waves):"]
    for number, wave in enumerate(plan.waves):
        out.append(f"  wave {number}: {', '.join(wave)}")
    for skipped in plan.skipped:
        out.append(f"  skipped {skipped.kind} {skipped.unit}: {skipped.reason}")
    docs = report.docs
    out += ["", f"docs for role {docs.role or '(any)'}: showing {docs.shown} of {docs.total}"]
    for source in docs.sources:
        flag = " (optional)" if source.optional else ""
        out.append(
            f"  {source.priority + 1:>2}. [{source.tier}] {source.repository}:{source.path}{flag}"
        )
    for shadow in docs.shadowed:
        out.append(
            f"  shadowed: {shadow.repository}:{shadow.path} by "
            f"{shadow.shadowed_by}:{shadow.winner_path}"
        )
    out += ["", "checkout:"]
    for entry in report.checkout_plan:
        out.append(f"  {entry.repository} {entry.commit[:12]}: {len(entry.paths)} paths")
    problems = len(report.conflicts) + len(report.validation_errors) + len(report.warnings)
    out += [
        "",
        f"problems: {plural(len(report.conflicts), 'conflict')}, "
        f"{plural(len(report.validation_errors), 'error')}, "
        f"{plural(len(report.warnings), 'warning')}" + (":" if problems else ""),
    ]
    for conflict in report.conflicts:
        extra = [
            f"at {loc.short()}" + (f" ({loc.commit[:12]})" if loc.commit else "")
            for loc in conflict.locations[1:]
        ]
        out += _problem("conflict", conflict.diagnostic, extra)
    for diagnostic in report.validation_errors:
        out += _problem("error", diagnostic, [])
    for diagnostic in report.warnings:
        out += _problem("warning", diagnostic, [])
    return "\n".join(out) + "\n"
