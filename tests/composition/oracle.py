"""Upstream's sequential apply order, restated plainly (the rules of service_apply.go), to
check `plan.py` against: infrastructure depth-first over sorted names with dependencies
first; service groups in deployOrder then sorted; inside a group, repeatedly the first
sorted name whose enabled-service dependencies are applied."""

from __future__ import annotations

from collections.abc import Mapping, Sequence


def infrastructure_order(items: Mapping[str, Sequence[str]]) -> list[str]:
    done: list[str] = []
    visiting: set[str] = set()

    def visit(name: str) -> None:
        if name in done:
            return
        if name in visiting:
            raise ValueError(f"cycle at {name}")
        visiting.add(name)
        for dep in items[name]:
            if dep in items:
                visit(dep)
        visiting.discard(name)
        done.append(name)

    for name in sorted(items):
        visit(name)
    return done


def service_order(
    services: Mapping[str, tuple[str, Sequence[str]]],
    deploy_order: Sequence[str],
    applied: set[str],
) -> list[str]:
    groups: dict[str, list[str]] = {}
    for name, (group, _deps) in services.items():
        groups.setdefault(group, []).append(name)
    order = [g for i, g in enumerate(deploy_order) if g in groups and g not in deploy_order[:i]]
    order += sorted(g for g in groups if g not in order)
    out: list[str] = []
    applied = set(applied)
    for group in order:
        names = sorted(groups[group])
        while names:
            for name in names:
                deps = services[name][1]
                if all(d in applied or d not in services for d in deps):
                    out.append(name)
                    applied.add(name)
                    names.remove(name)
                    break
            else:
                raise ValueError(f"deadlock in {group}: {names}")
    return out
