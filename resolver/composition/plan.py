"""The execution plan: which units apply, in which order, for one environment and slot.

Owns the order upstream's sequential apply uses (`runtimedeploy/service_apply.go`), so a
plan is comparable with what upstream would do:
- infrastructure: enabled items (`when`), depth-first over names in sorted order, each
  item's `dependsOn` visited first in the order written; dependencies that are not enabled
  infrastructure are ignored;
- services: enabled by `scope` (`infrastructure-singleton` only in `production`/`prod`) and
  `when`; grouped by `deployGroup`; groups in `orchestration.deployOrder` order, then the
  remaining groups sorted; inside a group, repeatedly the first name in sorted order whose
  dependencies are applied (a dependency that is not an enabled service counts as applied).
`waves` group the same steps for parallel apply (infrastructure, then each service group;
a unit's wave is one after its latest same-phase dependency), `teardown` is the reverse of
`steps`. Dependency cycles and deadlocks are errors naming the units. Unknown names are
reported by the effective manifest's validation, not here.

Templates are rendered with the manifest's context and an empty process environment, so
`envOr` always takes its default and a plan does not depend on the machine it runs on. Pure.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from resolver import gotemplate
from resolver.composition.cycles import find_cycles
from resolver.composition.planmodel import ExecutionPlan, ManifestRef, PlanStep, SkippedUnit
from resolver.composition.pointers import child
from resolver.composition.problems import Location
from resolver.diagnostics import Code, Diagnostic, Severity, did_you_mean
from resolver.naming import InvalidName, clean_repo_path
from resolver.normalize import (
    ManifestError,
    fallback_namespace,
    project_name,
    resolve_namespace,
    template_context,
)

PRODUCTION_ENVS = ("production", "prod")
LocateEffective = Callable[[str], Location]


@dataclass(slots=True)
class _Unit:
    name: str
    kind: str
    pointer: str
    item: dict[str, Any]
    deps: list[tuple[str, str]]  # (name, pointer of the dependsOn entry)
    group: str = ""


class _Planner:
    def __init__(self, doc: dict[str, Any], env: str, slot: int, locate: LocateEffective):
        self.doc = doc
        self.spec: dict[str, Any] = doc.get("spec") if isinstance(doc.get("spec"), dict) else {}  # type: ignore[assignment]
        self.env = env
        self.slot = slot
        self.locate = locate
        self.out: list[Diagnostic] = []
        self.rendered: dict[str, str | gotemplate.TemplateError] = {}
        self.whens: dict[str, bool | str] = {}
        self.project = project_name(doc)
        self.namespace = self.resolve_namespace()
        self.context = template_context(
            doc, env, slot=slot, namespace=self.namespace, project=self.project
        )

    def report(
        self,
        code: Code,
        reason: str,
        message: str,
        pointer: str,
        hint: str = "",
        severity: Severity = Severity.ERROR,
    ) -> None:
        where = self.locate(pointer)
        self.out.append(
            Diagnostic(
                code=code,
                reason=reason,
                message=message,
                severity=severity,
                path=where.path,
                line=where.line,
                column=where.column,
                pointer=pointer,
                hint=hint,
                repository=where.repository,
                chain=where.chain,
            )
        )

    def resolve_namespace(self) -> str:
        try:
            return resolve_namespace(self.doc, self.env, self.slot, self.project, {})
        except ManifestError as exc:
            if exc.reason == "unknown_environment":
                envs = self.spec.get("environments")
                names = sorted(envs) if isinstance(envs, dict) else []
                self.report(
                    Code.FAILED_PRECONDITION,
                    "unknown_environment",
                    f"cannot plan environment `{self.env}`: {exc.message}",
                    exc.pointer or "/spec/environments",
                    did_you_mean(self.env, names)
                    or ("defined environments: " + ", ".join(names) if names else ""),
                )
        except gotemplate.TemplateError as exc:
            self.report(
                Code.INVALID_ARGUMENT,
                "template_error",
                f"the namespace template fails for `{self.env}`: {exc.message}",
                child("/spec/environments", self.env, "namespaceTemplate"),
            )
        return fallback_namespace(self.project, self.env, self.slot)

    def render(self, value: Any, pointer: str) -> str:
        text = value if isinstance(value, str) else ("" if value is None else str(value))
        if not gotemplate.contains_template(text):
            return text.strip()
        # one context per plan: the same template always renders the same (memoized)
        outcome = self.rendered.get(text)
        if outcome is None:
            try:
                outcome = gotemplate.render(text, self.context, {}).strip()
            except gotemplate.TemplateError as exc:
                outcome = exc
            self.rendered[text] = outcome
        if isinstance(outcome, gotemplate.TemplateError):
            self.report(
                Code.INVALID_ARGUMENT,
                "template_error",
                f"template fails for environment `{self.env}`: {outcome.message}",
                pointer,
            )
            return ""
        return outcome

    def enabled(self, unit: _Unit) -> bool:
        when = unit.item.get("when")
        if when is None or (isinstance(when, str) and not when.strip()):
            return True
        text = str(when)
        outcome = self.whens.get(text)
        if outcome is None:
            try:
                outcome = bool(gotemplate.render_when(text, self.context, {}))
            except (gotemplate.TemplateError, ValueError) as exc:
                outcome = str(getattr(exc, "message", exc))
            self.whens[text] = outcome
        if isinstance(outcome, bool):
            return outcome
        self.report(
            Code.INVALID_ARGUMENT,
            "invalid_when",
            f"`when` of `{unit.name}` cannot be evaluated for `{self.env}`: {outcome}",
            unit.pointer + "/when",
            "make the template print true or false",
        )
        return False

    def units(self, key: str, kind: str) -> list[_Unit]:
        items = self.spec.get(key)
        out = []
        for index, item in enumerate(items if isinstance(items, list) else []):
            if not isinstance(item, dict) or not isinstance(item.get("name"), str):
                continue
            pointer = child("/spec", key, index)
            deps = []
            raw = item.get("dependsOn")
            for d_index, dep in enumerate(raw if isinstance(raw, list) else []):
                d_pointer = child(pointer, "dependsOn", d_index)
                name = self.render(dep, d_pointer)
                if name:
                    deps.append((name, d_pointer))
            out.append(_Unit(item["name"].strip(), kind, pointer, item, deps))
        return out

    def manifests(self, unit: _Unit) -> tuple[ManifestRef, ...]:
        out = []
        raw = unit.item.get("manifests")
        for index, manifest in enumerate(raw if isinstance(raw, list) else []):
            if not isinstance(manifest, dict):
                continue
            pointer = child(unit.pointer, "manifests", index, "path")
            path = self.render(manifest.get("path"), pointer)
            if not path:
                continue
            try:
                path = clean_repo_path(path)
            except InvalidName as exc:
                self.report(
                    Code.INVALID_ARGUMENT,
                    "invalid_path",
                    f"manifest path: {exc}",
                    pointer,
                    "paths are relative to the repository root and stay inside it",
                )
                continue
            repository = manifest.get("repository") or unit.item.get("repository") or ""
            out.append(ManifestRef(str(repository), path, pointer))
        return tuple(out)

    # -- ordering --------------------------------------------------------------------------
    def cycles(self, units: dict[str, _Unit], what: str) -> set[str]:
        succ = {n: [d for d, _ in u.deps if d in units] for n, u in units.items()}
        found = find_cycles(units, succ)
        members: set[str] = set()
        for cycle in found.cycles:
            members.update(cycle)
            loop = " → ".join([*cycle, cycle[0]])
            first = units[cycle[0]]
            nxt = cycle[1 % len(cycle)]
            pointer = next((p for d, p in first.deps if d == nxt), first.pointer)
            self.report(
                Code.INVALID_ARGUMENT,
                "dependency_cycle",
                f"{what} dependency cycle: {loop}",
                pointer,
                "remove one `dependsOn` entry of the cycle",
            )
        return members

    def infrastructure(self, enabled: dict[str, _Unit]) -> tuple[list[_Unit], dict[str, int]]:
        self.cycles(enabled, "infrastructure")
        order: list[_Unit] = []
        state: dict[str, int] = {}
        level: dict[str, int] = {}
        for start in sorted(enabled):
            if state.get(start):
                continue
            state[start] = 1
            stack = [(start, iter([d for d, _ in enabled[start].deps]))]
            while stack:
                name, deps = stack[-1]
                dep = next(deps, None)
                if dep is None:
                    stack.pop()
                    state[name] = 2
                    unit = enabled[name]
                    level[name] = 1 + max(
                        (level[d] for d, _ in unit.deps if d in level), default=-1
                    )
                    order.append(unit)
                    continue
                if dep in enabled and not state.get(dep):
                    state[dep] = 1
                    stack.append((dep, iter([d for d, _ in enabled[dep].deps])))
        return order, level

    def services(
        self, enabled: dict[str, _Unit], applied: set[str], base_wave: int
    ) -> tuple[list[tuple[_Unit, int]], int]:
        in_cycle = self.cycles(enabled, "service")
        groups: dict[str, list[str]] = {}
        for name, unit in enabled.items():
            groups.setdefault(unit.group, []).append(name)
        declared = self.spec.get("orchestration")
        raw_order = declared.get("deployOrder") if isinstance(declared, dict) else None
        order: list[str] = []
        for index, group in enumerate(raw_order if isinstance(raw_order, list) else []):
            name = self.render(group, child("/spec/orchestration/deployOrder", index))
            if name in groups and name not in order:
                order.append(name)
        order.extend(sorted(g for g in groups if g not in order))
        steps: list[tuple[_Unit, int]] = []
        wave = base_wave
        for group in order:
            names = groups[group]
            member = set(names)
            waiting: dict[str, set[str]] = {}
            dependents: dict[str, list[str]] = {}
            ready: list[str] = []
            for name in names:
                blockers = {d for d, _ in enabled[name].deps if d in enabled and d not in applied}
                waiting[name] = blockers
                for blocker in blockers:
                    dependents.setdefault(blocker, []).append(name)
                if not blockers:
                    ready.append(name)
            heapq.heapify(ready)
            level: dict[str, int] = {}
            while ready:
                name = heapq.heappop(ready)
                applied.add(name)
                level[name] = 1 + max(
                    (level[d] for d, _ in enabled[name].deps if d in level), default=-1
                )
                steps.append((enabled[name], wave + level[name]))
                for dependent in dependents.get(name, ()):
                    waiting[dependent].discard(name)
                    if not waiting[dependent]:
                        heapq.heappush(ready, dependent)
            stuck = sorted(n for n in names if n not in level)
            if stuck and not in_cycle & set(stuck):
                detail = "; ".join(
                    f"`{n}` waits for "
                    + ", ".join(
                        f"`{d}`" + ("" if d in member else f" (group `{enabled[d].group}`)")
                        for d in sorted(waiting[n])
                    )
                    for n in stuck
                )
                self.report(
                    Code.FAILED_PRECONDITION,
                    "dependency_deadlock",
                    f"services of deploy group `{group}` can never apply: {detail}",
                    enabled[stuck[0]].pointer + "/dependsOn",
                    "a service may depend only on services of its own or an earlier "
                    "group (see orchestration.deployOrder)",
                )
            wave += 1 + max(level.values(), default=-1)
        return steps, wave

    def run(self) -> ExecutionPlan:
        skipped: list[SkippedUnit] = []
        infra = {}
        for unit in self.units("infrastructure", "infrastructure"):
            if self.enabled(unit):
                infra[unit.name] = unit
            else:
                skipped.append(SkippedUnit(unit.name, unit.kind, "when is false"))
        services = {}
        for unit in self.units("services", "service"):
            scope = self.render(unit.item.get("scope"), unit.pointer + "/scope").lower()
            if scope == "infrastructure-singleton" and self.env.lower() not in PRODUCTION_ENVS:
                skipped.append(
                    SkippedUnit(
                        unit.name,
                        unit.kind,
                        "scope infrastructure-singleton applies only in production",
                    )
                )
                continue
            if not self.enabled(unit):
                skipped.append(SkippedUnit(unit.name, unit.kind, "when is false"))
                continue
            unit.group = self.render(unit.item.get("deployGroup"), unit.pointer + "/deployGroup")
            services[unit.name] = unit
        for unit in infra.values():
            for dep, pointer in unit.deps:
                if dep not in infra and dep in services:
                    self.report(
                        Code.FAILED_PRECONDITION,
                        "infrastructure_depends_on_service",
                        f"infrastructure `{unit.name}` depends on service `{dep}`, but "
                        "infrastructure applies before services; the dependency is "
                        "ignored",
                        pointer,
                        "move the dependency to the service",
                        severity=Severity.WARNING,
                    )
        infra_order, infra_level = self.infrastructure(infra)
        steps = [(u, infra_level[u.name]) for u in infra_order]
        base = 1 + max(infra_level.values(), default=-1)
        service_steps, _ = self.services(services, set(infra), base)
        steps.extend(service_steps)
        plan_steps = tuple(
            PlanStep(
                u.name,
                u.kind,
                u.group,
                w,
                str(u.item.get("repository") or ""),
                tuple(d for d, _ in u.deps),
                self.manifests(u),
            )
            for u, w in steps
        )
        waves: dict[int, list[str]] = {}
        for step in plan_steps:
            waves.setdefault(step.wave, []).append(step.unit)
        return ExecutionPlan(
            environment=self.env,
            namespace=self.namespace,
            steps=plan_steps,
            waves=tuple(tuple(sorted(waves[w])) for w in sorted(waves)),
            teardown=tuple(s.unit for s in reversed(plan_steps)),
            skipped=tuple(sorted(skipped, key=lambda s: (s.kind, s.unit))),
        )


def build_plan(
    doc: dict[str, Any], env: str, slot: int, locate: LocateEffective
) -> tuple[ExecutionPlan, list[Diagnostic]]:
    planner = _Planner(doc, env, slot, locate)
    plan = planner.run()
    return plan, planner.out
