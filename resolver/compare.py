"""What a change does to the effective composition: base report vs head report.

Works on the JSON form of two preview reports (`PreviewReport.to_json_dict()`), so a stored
composition can be compared with a fresh one. Units are the services and infrastructure
items of the effective manifest, keyed by name; a unit is changed when any of its fields
differs, and the diff names those fields. Pure.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

_UNIT_SECTIONS = ("infrastructure", "services")


@dataclass(frozen=True, slots=True)
class UnitChange:
    name: str
    kind: str  # "service" | "infrastructure"
    fields: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CompositionDiff:
    hash_before: str
    hash_after: str
    namespace_before: str
    namespace_after: str
    added: tuple[UnitChange, ...] = ()
    removed: tuple[UnitChange, ...] = ()
    changed: tuple[UnitChange, ...] = ()
    imports_changed: tuple[str, ...] = ()
    problems_before: int = 0
    problems_after: int = 0
    steps_before: tuple[str, ...] = field(default=())
    steps_after: tuple[str, ...] = field(default=())

    @property
    def unchanged(self) -> bool:
        return self.hash_before == self.hash_after and not (
            self.added or self.removed or self.changed or self.imports_changed
        )

    @property
    def plan_changed(self) -> bool:
        return self.steps_before != self.steps_after


def _units(report: Mapping[str, Any]) -> dict[str, tuple[str, dict[str, Any]]]:
    manifest = report.get("manifest") or {}
    spec = manifest.get("spec") if isinstance(manifest, dict) else None
    out: dict[str, tuple[str, dict[str, Any]]] = {}
    for section in _UNIT_SECTIONS:
        items = spec.get(section) if isinstance(spec, dict) else None
        for item in items if isinstance(items, list) else []:
            if isinstance(item, dict) and isinstance(item.get("name"), str):
                kind = "service" if section == "services" else "infrastructure"
                out[item["name"]] = (kind, item)
    return out


def _imports(report: Mapping[str, Any]) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in report.get("imports") or []:
        if isinstance(item, dict):
            out[f"{item.get('repository')}:{item.get('path')}"] = str(item.get("resolved_commit"))
    return out


def _problems(report: Mapping[str, Any]) -> int:
    return len(report.get("validation_errors") or []) + len(report.get("conflicts") or [])


def _steps(report: Mapping[str, Any]) -> tuple[str, ...]:
    plan = report.get("execution_plan") or {}
    steps = plan.get("steps") if isinstance(plan, dict) else None
    return tuple(
        str(s.get("unit"))
        for s in (steps if isinstance(steps, list) else [])
        if isinstance(s, dict)
    )


def _namespace(report: Mapping[str, Any]) -> str:
    plan = report.get("execution_plan") or {}
    return str(plan.get("namespace", "")) if isinstance(plan, dict) else ""


def diff_reports(base: Mapping[str, Any] | None, head: Mapping[str, Any]) -> CompositionDiff:
    """The difference from `base` (None: nothing composed before) to `head`."""
    before = _units(base or {})
    after = _units(head)
    added = tuple(UnitChange(n, after[n][0]) for n in sorted(after.keys() - before.keys()))
    removed = tuple(UnitChange(n, before[n][0]) for n in sorted(before.keys() - after.keys()))
    changed = []
    for name in sorted(before.keys() & after.keys()):
        old, new = before[name][1], after[name][1]
        fields = tuple(sorted(k for k in old.keys() | new.keys() if old.get(k) != new.get(k)))
        if fields:
            changed.append(UnitChange(name, after[name][0], fields))
    old_imports, new_imports = _imports(base or {}), _imports(head)
    imports_changed = tuple(
        sorted(
            k
            for k in old_imports.keys() | new_imports.keys()
            if old_imports.get(k) != new_imports.get(k)
        )
    )
    return CompositionDiff(
        hash_before=str((base or {}).get("effective_services_manifest_hash", "")),
        hash_after=str(head.get("effective_services_manifest_hash", "")),
        namespace_before=_namespace(base or {}),
        namespace_after=_namespace(head),
        added=added,
        removed=removed,
        changed=tuple(changed),
        imports_changed=imports_changed,
        problems_before=_problems(base or {}),
        problems_after=_problems(head),
        steps_before=_steps(base or {}),
        steps_after=_steps(head),
    )


def _short(digest: str) -> str:
    return digest.removeprefix("sha256:")[:12] or "—"


def _names(units: tuple[UnitChange, ...]) -> str:
    return ", ".join(f"`{u.name}`" for u in units)


def render_diff_markdown(diff: CompositionDiff) -> str:
    """A short Markdown section: what this change does to the composition."""
    lines = ["### What this change does to the composition", ""]
    if diff.unchanged:
        lines.append(f"No change to the effective composition (`{_short(diff.hash_after)}`).")
        return "\n".join(lines) + "\n"
    lines.append(f"- manifest hash: `{_short(diff.hash_before)}` → `{_short(diff.hash_after)}`")
    if diff.namespace_before != diff.namespace_after:
        lines.append(
            f"- namespace: `{diff.namespace_before or '—'}` → `{diff.namespace_after or '—'}`"
        )
    if diff.added:
        lines.append(f"- units added: {_names(diff.added)}")
    if diff.removed:
        lines.append(f"- units removed: {_names(diff.removed)}")
    for unit in diff.changed:
        fields = ", ".join(f"`{f}`" for f in unit.fields)
        lines.append(f"- `{unit.name}` ({unit.kind}) changed: {fields}")
    if diff.imports_changed:
        lines.append(f"- imports moved: {', '.join(f'`{i}`' for i in diff.imports_changed)}")
    if diff.plan_changed:
        lines.append(f"- deploy order: {len(diff.steps_before)} → {len(diff.steps_after)} steps")
    if diff.problems_before != diff.problems_after:
        lines.append(f"- problems: {diff.problems_before} → {diff.problems_after}")
    return "\n".join(lines) + "\n"


def summarize_diff(diff: CompositionDiff) -> str:
    """One line for a PR comment."""
    if diff.unchanged:
        return "no change to the effective composition"
    parts = []
    if diff.added:
        parts.append(f"{len(diff.added)} unit(s) added")
    if diff.removed:
        parts.append(f"{len(diff.removed)} removed")
    if diff.changed:
        parts.append(f"{len(diff.changed)} changed")
    if diff.namespace_before != diff.namespace_after:
        parts.append("namespace changed")
    if not parts:
        parts.append("imports or values changed")
    return ", ".join(parts) + f" (`{_short(diff.hash_before)}` → `{_short(diff.hash_after)}`)"
