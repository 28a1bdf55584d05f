"""Answers to slash-commands (pure): the plan, the docs sources, help, refusals.

Every answer starts with a hidden marker naming the comment it answers, so a retried job
finds its answer instead of posting it twice. User data is escaped (`md`), so a project or
unit name cannot mention people or inject Markdown.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from app.slash import Command
from resolver.composition import PreviewReport
from resolver.composition.markdown import md, plan_table, table
from resolver.composition.text import plural

MAX_PROBLEMS = 5


def reply_marker(comment_id: int) -> str:
    return f"<!-- manifold:reply:{comment_id} -->"


@dataclass(frozen=True, slots=True)
class ScopeAnswer:
    """A command's composition in one scope (a project, or the repository alone)."""

    project: str
    report: PreviewReport


def _quote(command: Command) -> str:
    return f"`{command.text}`" if command.text else f"`/manifold {command.name}`"


def _problems(report: PreviewReport) -> list[str]:
    found = [c.diagnostic for c in report.conflicts] + list(report.validation_errors)
    if not found:
        return []
    lines = [f"{plural(len(found), 'problem')} in this composition:"]
    for d in found[:MAX_PROBLEMS]:
        where = md(d.location() or "(project)")
        hint = f" — {md(d.hint)}" if d.hint else ""
        lines.append(f"- `{d.reason}` at {where}: {md(d.message)}{hint}")
    if len(found) > MAX_PROBLEMS:
        lines.append(f"- … and {len(found) - MAX_PROBLEMS} more (see the check run)")
    return lines


def render_plan(
    comment_id: int, command: Command, head_sha: str, answers: Sequence[ScopeAnswer]
) -> str:
    out = [reply_marker(comment_id), f"{_quote(command)} at `{head_sha[:7]}`"]
    for answer in answers:
        plan = answer.report.execution_plan
        if any(d.reason == "unknown_environment" for d in answer.report.validation_errors):
            out += ["", f"#### {md(answer.project)}: no environment `{md(command.env)}`", ""]
            out += _problems(answer.report)
            continue
        out += [
            "",
            f"#### {md(answer.project)}: environment `{md(plan.environment)}`, slot"
            f" {command.slot} → namespace `{md(plan.namespace)}`",
            "",
            f"{plural(len(plan.steps), 'unit')} in {plural(len(plan.waves), 'wave')}"
            + (f", {len(plan.skipped)} skipped" if plan.skipped else ""),
            "",
        ]
        out += plan_table(plan)
        problems = _problems(answer.report)
        if problems:
            out += ["", *problems]
    return "\n".join(out) + "\n"


def render_docs(
    comment_id: int, command: Command, head_sha: str, answers: Sequence[ScopeAnswer]
) -> str:
    role = command.role or ""
    out = [reply_marker(comment_id), f"{_quote(command)} at `{head_sha[:7]}`"]
    for answer in answers:
        docs = answer.report.docs
        out += [
            "",
            f"#### {md(answer.project)}: documentation for role `{md(role)}`"
            f" (showing {docs.shown} of {docs.total})",
            "",
        ]
        if docs.sources:
            rows = [
                [
                    str(s.priority + 1),
                    md(s.repository),
                    md(s.path),
                    md(s.description or "—"),
                    "yes" if s.optional else "no",
                    f"`{s.resolved_commit[:12]}`" if s.resolved_commit else "—",
                ]
                for s in docs.sources
            ]
            out += table(["#", "repository", "path", "description", "optional", "commit"], rows)
        else:
            out.append(f"No project docs are listed for role `{md(role)}`.")
        if docs.shadowed:
            shadowed = "; ".join(
                f"{md(s.repository)}:{md(s.path)} (by {md(s.shadowed_by)})" for s in docs.shadowed
            )
            out += ["", f"Shadowed: {shadowed}"]
    return "\n".join(out) + "\n"


def render_text(comment_id: int, body: str) -> str:
    """Help and usage errors, as the parser wrote them."""
    return f"{reply_marker(comment_id)}\n{body}\n"


def render_denied(comment_id: int, author: str, repository: str) -> str:
    return (
        f"{reply_marker(comment_id)}\n"
        f"Sorry @{author}, `/manifold` commands can only be run by people with write access"
        f" to `{md(repository)}`. A maintainer can run the command for you; `/manifold help`"
        " lists them.\n"
    )


def render_nothing_to_compose(comment_id: int, repository: str, head_sha: str) -> str:
    return (
        f"{reply_marker(comment_id)}\n"
        f"`{md(repository)}` is bound to no Manifold project and has no `services.yaml` at"
        f" `{head_sha[:7]}`: there is nothing to compose.\n"
    )
