"""The sample projects (`samples/*.json`) the way tests run them.

A test loads a sample under a project id of its own and shortens its waits: `scale_waits`
multiplies every wait of the graph (what a node kind declares as a duration: retry backoff,
work-queue re-queue waits, gate timeouts, timers; and the retry intervals of the activity
catalogue) and leaves time limits (`*_timeout`), schedule periods and simulated delays as they
are. A few more rewrites change what a test needs: where a work queue continues-as-new, the
workflow id a schedule signals, how many checks a monitoring window holds.

The facts tests compute their expectations from (check reports, weights, confidences, the
simulated failures) are read from the sample documents themselves, never copied from a run.
"""

from __future__ import annotations

import ast
import copy
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import samples
from language.durations import parse_duration
from node_types import REGISTRY

DurationText = Callable[[float, float], str]
"""(seconds, scale) -> the duration string of `seconds * scale`."""


def duration(seconds: float, scale: float = 1.0) -> str:
    """`seconds * scale` in whole days, hours, minutes or seconds, else in whole milliseconds,
    and never under 10 ms: the dev server fires even a 10 ms timer after about a second, so a
    shorter one would buy nothing. How the feature pipeline and autonomous development samples
    are scaled."""
    value = seconds * scale
    if value >= 1 and value == int(value):
        whole = int(value)
        for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
            if whole % size == 0:
                return f"{whole // size}{unit}"
        return f"{whole}s"
    return f"{max(10, round(value * 1000))}ms"


def exact_duration(seconds: float, scale: float = 1.0) -> str:
    """`seconds * scale` (to the microsecond) in the largest of hours, minutes, seconds or
    milliseconds that reads well, fractions kept: how the package management and plan writer
    samples are scaled (a plan writer test runs a minute of its workflows in 50 ms)."""
    value = round(seconds * scale, 6)
    for unit, size in (("h", 3600), ("m", 60)):
        if value >= size and value % size == 0:
            return f"{int(value // size)}{unit}"
    if value >= 1:
        return f"{value:g}s"
    return f"{round(value * 1000, 3):g}ms"


def scale_waits(
    document: dict[str, Any], scale: float, text: DurationText = duration
) -> dict[str, Any]:
    """A copy of the project with every wait multiplied by `scale` (see the module's doc)."""
    scaled = copy.deepcopy(document)

    def rewrite(holder: dict[str, Any], field: str) -> None:
        value = holder.get(field)
        if not isinstance(value, str):
            return
        try:
            seconds = parse_duration(value)
        except ValueError:  # an expression giving seconds: the test's input decides
            return
        holder[field] = text(seconds, scale)

    for activity in scaled["activities"]:
        retry = activity.get("defaults", {}).get("retry")
        if isinstance(retry, dict):
            for field in ("initial_interval", "maximum_interval"):
                rewrite(retry, field)
    for _workflow, node in nodes(scaled):
        kind = REGISTRY.get(node["type"])
        if kind is None:
            continue
        for field in sorted(kind.duration_fields):
            if not field.endswith("_timeout"):
                rewrite(node.get("config", {}), field)
    return scaled


def nodes(document: dict[str, Any]) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """(workflow, node) for every node of the project."""
    for workflow in document["workflows"]:
        for node in workflow["nodes"]:
            yield workflow, node


def workflow(document: dict[str, Any], workflow_id: str) -> dict[str, Any]:
    found: list[dict[str, Any]] = [w for w in document["workflows"] if w["id"] == workflow_id]
    assert len(found) == 1, f"{document['id']} has no workflow {workflow_id!r}"
    return found[0]


def activity(document: dict[str, Any], name: str) -> dict[str, Any]:
    found: list[dict[str, Any]] = [a for a in document["activities"] if a["name"] == name]
    assert len(found) == 1, f"{document['id']} has no activity {name!r}"
    return found[0]


def simulated_result(document: dict[str, Any], name: str) -> Any:
    """What the simulated activity `name` returns."""
    implementation = activity(document, name)["implementation"]
    assert implementation["kind"] == "simulate", name
    return implementation["result"]


def state_default(document: dict[str, Any], workflow_id: str, name: str) -> Any:
    variables = [v for v in workflow(document, workflow_id)["state"] if v["name"] == name]
    assert len(variables) == 1, f"{workflow_id} has no state {name!r}"
    return variables[0].get("default")


def load(name: str, project_id: str | None = None) -> dict[str, Any]:
    """The sample `name`, under `project_id` (its id and task queue) when one is given."""
    document = samples.load(name)
    if project_id is not None:
        document["id"] = project_id
        document["task_queue"] = project_id
    return document


def set_history_limit(document: dict[str, Any], workflow_id: str, limit: int) -> None:
    """Where the work queues of the workflow continue-as-new, in history events."""
    queues = [n for n in workflow(document, workflow_id)["nodes"] if n["type"] == "work_queue"]
    assert queues, f"{workflow_id} has no work queue"
    for node in queues:
        node["config"]["history_limit"] = limit


def rename_workflow_id(document: dict[str, Any], old: str, new: str) -> None:
    """The long-running workflow started as `old` starts as `new`, and the schedules that
    signal it name `new`."""
    renamed = [w for w in document["workflows"] if w["settings"].get("id_template") == old]
    assert renamed, f"no workflow of {document['id']} starts as {old!r}"
    for found in renamed:
        found["settings"]["id_template"] = new
    for _workflow, node in nodes(document):
        if node["type"] != "schedule":
            continue
        args = node["config"].get("args", {})
        for key, value in args.items():
            if value == repr(old):
                args[key] = repr(new)


# the four samples, with the parameters their tests use


def package_management(
    project_id: str | None = None,
    *,
    scale: float = 1.0,
    history_limit: int | None = None,
    orchestrator_id: str | None = None,
) -> dict[str, Any]:
    """`history_limit`: where the continuous builder continues-as-new; `orchestrator_id`: the
    continuous builder's workflow id, which the poller's schedule signals."""
    return _with_coordinator(
        load("package-management", project_id),
        scale,
        ("continuous-builder", history_limit),
        ("continuous-builder-orchestrator", orchestrator_id),
    )


def plan_writer(
    project_id: str | None = None,
    *,
    scale: float = 1.0,
    history_limit: int | None = None,
    service_id: str | None = None,
) -> dict[str, Any]:
    """`history_limit`: where the service continues-as-new; `service_id`: the service's
    workflow id, which the scanner's schedule signals."""
    return _with_coordinator(
        load("plan-writer", project_id),
        scale,
        ("plan-writer-service", history_limit),
        ("plan-writer-service", service_id),
    )


def _with_coordinator(
    document: dict[str, Any],
    scale: float,
    limit: tuple[str, int | None],
    workflow_id: tuple[str, str | None],
) -> dict[str, Any]:
    """A sample run by a long-running coordinator: its waits scaled, and, where given, the
    history limit of (coordinator workflow, limit) and the id (seeded id, new id) changed."""
    scaled = scale_waits(document, scale, exact_duration)
    coordinator, history_limit = limit
    if history_limit is not None:
        set_history_limit(scaled, coordinator, history_limit)
    old, new = workflow_id
    if new is not None:
        rename_workflow_id(scaled, old, new)
    return scaled


def feature_pipeline(
    project_id: str | None = None, *, time_scale: float = 1.0, health_checks: int | None = None
) -> dict[str, Any]:
    """`health_checks`: how many checks each deployment's monitoring window holds (staging
    10, production 40): every timer costs a round trip to the server, however short."""
    document = scale_waits(load("feature-pipeline", project_id), time_scale)
    if health_checks is not None:
        for found in document["workflows"]:
            for variable in found["state"]:
                if variable["name"] == "planned_checks":
                    variable["default"] = health_checks
    return document


def autonomous_dev(project_id: str | None = None, *, time_scale: float = 1.0) -> dict[str, Any]:
    return scale_waits(load("autonomous-dev", project_id), time_scale)


# what the samples' simulated data says


def _literal_arguments(document: dict[str, Any], argument: str) -> list[Any]:
    """Every literal value a node passes as `argument`."""
    return [
        ast.literal_eval(node["config"]["args"][argument])
        for _workflow, node in nodes(document)
        if isinstance(node["config"].get("args"), dict)
        and argument in node["config"]["args"]
        and _is_literal(node["config"]["args"][argument])
    ]


def _is_literal(text: str) -> bool:
    try:
        ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return False
    return True


def _the_one(values: list[Any], what: str) -> Any:
    assert values and all(v == values[0] for v in values), f"not one {what}: {values!r}"
    return values[0]


@dataclass(frozen=True)
class AutonomousDevData:
    """The autonomous development sample's simulated data."""

    check_weights: dict[str, float]
    """The quality gate's checks in their order, with their weights."""
    check_reports: dict[str, dict[str, Any]]
    """What each simulated check reports."""
    auto_fixable: set[str]
    fixed_score: float
    """The score of a check after its automatic fix."""
    required_checks: list[str]
    """Checks a PR must pass to merge unless the caller names others."""
    auto_fix_confidence: float
    """The incident swarm fixes automatically from this consensus up."""
    diagnosis_confidence: dict[str, float]
    """The confidence each diagnosis agent reports, by agent id."""
    canary: str
    """Migrating to this target version fails validation at the createRoot step."""
    migration_steps: list[str]
    """The migration plan's step ids, in order."""


def autonomous_dev_data(document: dict[str, Any] | None = None) -> AutonomousDevData:
    document = document if document is not None else load("autonomous-dev")
    weights = state_default(document, "quality-gate", "weights")
    reports = {name: simulated_result(document, f"run_{name}") for name in weights}
    diagnoses = [
        simulated_result(document, a["name"])
        for a in document["activities"]
        if a["name"].startswith("diagnose_from_")
    ]
    plan = simulated_result(document, "create_migration_plan")
    return AutonomousDevData(
        check_weights=weights,
        check_reports=reports,
        auto_fixable={name for name, report in reports.items() if report["auto_fixable"]},
        fixed_score=simulated_result(document, "auto_fix_check")["new_score"],
        required_checks=_the_one(
            _literal_arguments(document, "required_checks"), "required_checks"
        ),
        auto_fix_confidence=state_default(document, "incident-swarm", "threshold"),
        diagnosis_confidence={d["agent_id"]: d["confidence"] for d in diagnoses},
        canary=activity(document, "validate_migration_step")["implementation"]["fail_when"][
            "target_version"
        ],
        migration_steps=[step["step_id"] for step in plan["steps"]],
    )


@dataclass(frozen=True)
class FeaturePipelineData:
    """The feature pipeline sample's simulated data."""

    test_types: list[str]
    """The suites the orchestrator has the testing phase run."""
    bad_commit: str
    """A deployment of this commit answers 503 on its health endpoint (a broken build)."""


def feature_pipeline_data(document: dict[str, Any] | None = None) -> FeaturePipelineData:
    document = document if document is not None else load("feature-pipeline")
    bad = [
        a["implementation"]["fail_when"]["commit_sha"]
        for a in document["activities"]
        if "commit_sha" in a["implementation"].get("fail_when", {})
    ]
    return FeaturePipelineData(
        test_types=_the_one(_literal_arguments(document, "test_types"), "test_types"),
        bad_commit=_the_one(bad, "bad commit"),
    )
