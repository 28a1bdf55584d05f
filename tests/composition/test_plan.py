"""Execution plan: upstream's order, waves, teardown, scope/when, cycles, deadlocks."""

from __future__ import annotations

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from resolver.diagnostics import Code
from tests.composition.helpers import Project, fragment, line_of, only
from tests.composition.oracle import infrastructure_order, service_order


def monorepo(body: str) -> Project:
    p = Project()
    p.repo("only", {"services.yaml": fragment(body, environments=True)})
    return p


def test_infrastructure_is_depth_first_over_sorted_names_dependencies_first() -> None:
    report = monorepo("""
infrastructure:
  - name: web
    dependsOn: [zeta, alpha]
  - name: alpha
  - name: zeta
    dependsOn: [mid]
  - name: mid
""").compose()
    plan = report.execution_plan
    assert [s.unit for s in plan.steps] == ["alpha", "mid", "zeta", "web"]
    assert plan.waves == (("alpha", "mid"), ("zeta",), ("web",))
    assert plan.teardown == ("web", "zeta", "mid", "alpha")
    assert [s.wave for s in plan.steps] == [0, 0, 1, 2]


def test_service_groups_follow_deploy_order_then_sorted_names() -> None:
    report = monorepo("""
orchestration:
  deployOrder: [late, early, missing, early]
services:
  - name: s-late
    deployGroup: late
  - name: s-early
    deployGroup: early
  - name: s-zgroup
    deployGroup: zgroup
  - name: s-nogroup
  - name: s-agroup
    deployGroup: agroup
""").compose()
    assert report.ok, report.problems
    assert [s.unit for s in report.execution_plan.steps] == [
        "s-late",
        "s-early",
        "s-nogroup",
        "s-agroup",
        "s-zgroup",
    ]
    assert report.execution_plan.waves == (
        ("s-late",),
        ("s-early",),
        ("s-nogroup",),
        ("s-agroup",),
        ("s-zgroup",),
    )


def test_inside_a_group_the_first_sorted_ready_name_applies_next() -> None:
    report = monorepo("""
infrastructure:
  - name: db
services:
  - name: a
    dependsOn: [c]
  - name: b
    dependsOn: [db]
  - name: c
  - name: d
    dependsOn: [a, b]
""").compose()
    plan = report.execution_plan
    assert [s.unit for s in plan.steps] == ["db", "b", "c", "a", "d"]
    assert plan.waves == (("db",), ("b", "c"), ("a",), ("d",))


def test_waves_never_cross_a_group_boundary() -> None:
    report = monorepo("""
orchestration:
  deployOrder: [one, two]
services:
  - name: x
    deployGroup: one
  - name: y
    deployGroup: two
""").compose()
    assert report.execution_plan.waves == (("x",), ("y",))


def test_scope_and_when_select_units_per_environment() -> None:
    body = """
infrastructure:
  - name: registry
    when: '{{ ne .Env "ai" }}'
services:
  - name: proxy
    scope: infrastructure-singleton
  - name: app
    dependsOn: [proxy, registry]
"""
    ai = monorepo(body).compose()
    assert [s.unit for s in ai.execution_plan.steps] == ["app"]
    assert {(s.unit, s.reason) for s in ai.execution_plan.skipped} == {
        ("registry", "when is false"),
        ("proxy", "scope infrastructure-singleton applies only in production"),
    }
    production = monorepo(body).compose(env="production")
    assert [s.unit for s in production.execution_plan.steps] == ["registry", "proxy", "app"]
    assert production.execution_plan.namespace == "demo-prod"


def test_unknown_dependency_is_not_found_with_a_hint() -> None:
    body = (
        "infrastructure:\n  - name: postgres\n"
        "services:\n  - name: api\n    dependsOn: [postgress]\n"
    )
    report = monorepo(body).compose()
    (unknown,) = only(report, "unknown_dependency")
    assert unknown.code is Code.NOT_FOUND
    assert (unknown.repository, unknown.path) == ("only", "services.yaml")
    assert unknown.line == line_of(fragment(body, environments=True), "dependsOn: [postgress]")
    assert "postgres" in unknown.hint


def test_dependency_cycles_name_the_units() -> None:
    body = """
infrastructure:
  - name: a
    dependsOn: [b]
  - name: b
    dependsOn: [a]
services:
  - name: x
    dependsOn: [y]
  - name: y
    dependsOn: [x]
  - name: z
    dependsOn: [z]
"""
    report = monorepo(body).compose()
    messages = sorted(d.message for d in only(report, "dependency_cycle"))
    assert messages == [
        "infrastructure dependency cycle: a → b → a",
        "service dependency cycle: x → y → x",
        "service dependency cycle: z → z",
    ]
    assert not only(report, "dependency_deadlock")
    assert not report.ok


def test_a_dependency_on_a_later_group_is_a_deadlock() -> None:
    body = """
orchestration:
  deployOrder: [first, second]
services:
  - name: early
    deployGroup: first
    dependsOn: [late]
  - name: late
    deployGroup: second
"""
    report = monorepo(body).compose()
    (deadlock,) = only(report, "dependency_deadlock")
    assert deadlock.code is Code.FAILED_PRECONDITION
    assert "`early` waits for `late` (group `second`)" in deadlock.message
    assert [s.unit for s in report.execution_plan.steps] == ["late"]


def test_unknown_environment_is_reported_with_the_defined_ones() -> None:
    report = monorepo("services:\n  - name: a\n").compose(env="staging")
    (unknown,) = only(report, "unknown_environment")
    assert unknown.code is Code.FAILED_PRECONDITION and "production" in unknown.hint
    assert report.execution_plan.namespace == "demo-staging"


@st.composite
def stacks(draw: st.DrawFn) -> dict[str, object]:
    names = draw(
        st.lists(
            st.sampled_from([f"u{i}" for i in range(12)]), min_size=1, max_size=12, unique=True
        )
    )
    infra_names = names[: draw(st.integers(0, len(names)))]
    service_names = names[len(infra_names) :]
    groups = ["", "g1", "g2", "g3"]
    infra = []
    for index, name in enumerate(infra_names):
        deps = draw(
            st.lists(st.sampled_from(infra_names[:index] or [name]), max_size=3, unique=True)
        )
        infra.append({"name": name, "dependsOn": [d for d in deps if d != name]})
    services: list[dict[str, object]] = []
    order = draw(st.permutations(groups[1:]))
    rank = {g: i for i, g in enumerate([*order, ""])}  # unlisted groups apply after, sorted
    for name in service_names:
        group = draw(st.sampled_from(groups))
        earlier = [s for s in services if rank[str(s["deployGroup"])] <= rank[group]]
        pool = [str(s["name"]) for s in earlier] + infra_names
        deps = draw(st.lists(st.sampled_from(pool), max_size=3, unique=True)) if pool else []
        services.append({"name": name, "deployGroup": group, "dependsOn": deps})
    return {
        "infrastructure": infra,
        "services": services,
        "orchestration": {"deployOrder": list(order)},
    }


@settings(max_examples=60, deadline=None)
@given(stacks())
def test_steps_match_upstream_order_and_waves_respect_dependencies(spec: dict) -> None:
    body = yaml.safe_dump(spec, sort_keys=False)
    report = monorepo(body).compose()
    plan = report.execution_plan
    infra = {i["name"]: i["dependsOn"] for i in spec["infrastructure"]}
    services = {s["name"]: (s["deployGroup"], s["dependsOn"]) for s in spec["services"]}
    expected = infrastructure_order(infra) + service_order(
        services, spec["orchestration"]["deployOrder"], set(infra)
    )
    assert [s.unit for s in plan.steps] == expected
    wave = {s.unit: s.wave for s in plan.steps}
    phase = {s.unit: (s.kind, s.group) for s in plan.steps}
    for step in plan.steps:
        for dep in step.depends_on:
            assert wave[dep] < wave[step.unit]
    for earlier, later in zip(plan.steps, plan.steps[1:], strict=False):
        if phase[earlier.unit] != phase[later.unit]:
            assert wave[earlier.unit] < wave[later.unit]  # a group never shares a wave
    assert [u for w in plan.waves for u in w] == sorted(wave, key=lambda u: (wave[u], u))
