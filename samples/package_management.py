"""Package Management: build packages in dependency order, and keep a build queue running.

Recreates the package builder system of the reference documents:

- `package-builder`: phases INITIALIZE, PLAN, BUILD, VERIFY and COMPLETE; BUILD runs one
  `package-build` child per package, never before its dependencies, at most `max_concurrent` at
  once (the documents' `Promise.race()` loop is the bounded, dependency-aware spawner here).
- `package-build`: pre-flight validation, the "code exists? / published? / upgrade plan?"
  decisions, audits, dependency verification, an agent that scaffolds, then build, tests and
  quality each retried with backoff and an agent fix between attempts, publish and report.
- `continuous-builder`: the long-running queue fed by signals. Where the reference throws from
  an async signal handler (emergency stop), returns a Map from a query and handles completion
  with `.then` inside the workflow, this one only flips state in its handlers, answers plain
  data, and lets the work queue await its children and fail on an emergency stop.
- `mcp-poller`: a Temporal Schedule every 30 minutes (not a cron workflow), signalling the
  builder only when the build queue returned packages.

`build(scale=...)` multiplies every wait of the workflows (backoffs, retry intervals, schedule
periods stay real); tests use a small scale so the suites run in seconds.
"""

from __future__ import annotations

from typing import Any

from samples.builder import WorkflowBuilder, project, simulated

PROJECT_ID = "package-management"
ORCHESTRATOR_ID = "continuous-builder-orchestrator"
"""The long-running builder's workflow id, which the poller signals."""

PACKAGE = {"name": "str", "priority": "int", "dependencies": "list[str]"}


def duration(seconds: float, scale: float = 1.0) -> str:
    """A duration string for `seconds * scale`, in the largest unit that reads well."""
    value = round(seconds * scale, 6)
    for unit, size in (("h", 3600), ("m", 60)):
        if value >= size and value % size == 0:
            return f"{int(value // size)}{unit}"
    if value >= 1:
        return f"{value:g}s"
    return f"{round(value * 1000, 3):g}ms"


def types() -> dict[str, Any]:
    return {
        "Package": {"description": "A package waiting to be built.", "fields": PACKAGE},
        "PreflightReport": {
            "description": "What pre-flight validation found about a package.",
            "fields": {
                "code_exists": "bool",
                "published": "bool",
                "has_upgrade_plan": "bool",
                "version": "str",
                "package_path": "str",
                "plan_path": "str",
            },
        },
        "AuditReport": {
            "description": "What an audit found done and still to do.",
            "fields": {"completed": "list[str]", "remaining": "list[str]"},
        },
        "DependencyCheck": {
            "description": "Whether every dependency is published.",
            "fields": {"ready": "bool", "missing": "list[str]"},
        },
        "ScaffoldResult": {
            "description": "Files an agent created or completed.",
            "fields": {"files": "list[str]", "summary": "str"},
        },
        "FixResult": {
            "description": "What an agent changed to fix a failing step.",
            "fields": {"files_changed": "int", "summary": "str"},
        },
        "BuildArtifacts": {
            "description": "The output of a compile.",
            "fields": {"artifacts": "list[str]", "warnings": "int"},
        },
        "TestReport": {
            "description": "A test run.",
            "fields": {"passed": "int", "failed": "int", "coverage": "float"},
        },
        "QualityReport": {
            "description": "Lint, types and the quality score.",
            "fields": {"lint_errors": "int", "type_errors": "int", "score": "int"},
        },
        "PublishReceipt": {
            "description": "A published version.",
            "fields": {"version": "str", "tarball": "str", "registry": "str"},
        },
        "BuildResult": {
            "description": "What one package build did.",
            "fields": {
                "package_name": "str",
                "outcome": "str",
                "version": "str",
                "fix_attempts": "int",
                "quality_score": "int",
                "report_path": "str",
            },
        },
        "PlanVerification": {
            "description": "Whether every package has its plan file.",
            "fields": {"all_present": "bool", "missing": "list[str]"},
        },
        "IntegrationReport": {
            "description": "The integration test run over the built packages.",
            "fields": {"passed": "bool", "suites": "int", "failures": "list[str]"},
        },
        "BuilderReport": {
            "description": "The outcome of a package-builder run.",
            "fields": {
                "build_id": "str",
                "built": "list[str]",
                "failed": "dict[str, str]",
                "skipped": "list[str]",
                "integration_passed": "bool",
                "report_path": "str",
            },
        },
        "OrchestratorSnapshot": {
            "description": "The continuous builder's state, as plain data.",
            "fields": {
                "internal_queue": "list[Package]",
                "active_builds": "dict[str, str]",
                "failed_retries": "dict[str, int]",
                "waiting_to_retry": "list[str]",
                "is_paused": "bool",
                "is_draining": "bool",
                "emergency_stop": "bool",
                "max_concurrent": "int",
                "received": "int",
                "duplicates_ignored": "int",
                "completed": "int",
                "failed": "int",
                "retried": "int",
                "continued_as_new": "int",
            },
        },
    }


def activities(scale: float) -> list[dict[str, Any]]:
    """The activity catalogue; every implementation is simulated, with short delays."""
    quick_retry = {
        "initial_interval": duration(1, scale),
        "maximum_interval": duration(10, scale),
        "maximum_attempts": 5,
    }
    once = {"initial_interval": duration(1, scale), "maximum_attempts": 1}
    return [
        # package-builder
        simulated(
            "build_dependency_graph",
            "Reads every package's manifest and orders the packages by their dependencies.",
            input={"packages": "list[Package]"},
            output="list[Package]",
            result="{packages}",
            delay_seconds=0.05,
        ),
        simulated(
            "verify_plans",
            "Checks that every package has an implementation plan in the plans folder.",
            input={"packages": "list[Package]", "workspace_root": "str"},
            output="PlanVerification",
            result={"all_present": True, "missing": []},
            delay_seconds=0.05,
        ),
        simulated(
            "run_integration_tests",
            "Runs the workspace's integration suites against the freshly built packages.",
            input={"packages": "list[str]", "workspace_root": "str"},
            output="IntegrationReport",
            result={"passed": True, "suites": 12, "failures": []},
            delay_seconds=0.2,
            timeout="30m",
            heartbeat="1m",
        ),
        simulated(
            "generate_report",
            "Writes the build report (built, failed and skipped packages) as Markdown.",
            input={
                "build_id": "str",
                "built": "list[str]",
                "failed": "dict[str, str]",
                "skipped": "list[str]",
                "integration_passed": "bool",
            },
            output="str",
            result="reports/{build_id}.md",
        ),
        # package-build
        simulated(
            "preflight_validation",
            "Looks at the workspace and the registry: is there code, is it published, is "
            "there an upgrade plan?",
            input={"package_name": "str", "workspace_root": "str"},
            output="PreflightReport",
            result={
                "code_exists": False,
                "published": False,
                "has_upgrade_plan": False,
                "version": "0.1.0",
                "package_path": "{workspace_root}/packages/{package_name}",
                "plan_path": "{workspace_root}/plans/packages/{package_name}.md",
            },
            delay_seconds=0.05,
            retry=quick_retry,
        ),
        simulated(
            "audit_upgrade",
            "Compares the published package with its upgrade plan.",
            input={"package_name": "str", "package_path": "str", "plan_path": "str"},
            output="AuditReport",
            result={"completed": ["api"], "remaining": ["breaking changes from the plan"]},
            delay_seconds=0.1,
            retry=quick_retry,
        ),
        simulated(
            "audit_state",
            "Finds what an unpublished package already has and what is still missing.",
            input={"package_name": "str", "package_path": "str"},
            output="AuditReport",
            result={"completed": ["src", "package.json"], "remaining": ["tests", "README"]},
            delay_seconds=0.1,
            retry=quick_retry,
        ),
        simulated(
            "verify_dependencies",
            "Checks that every dependency is published in the registry.",
            input={"package_name": "str", "dependencies": "list[str]", "registry": "str"},
            output="DependencyCheck",
            result={"ready": True, "missing": []},
            delay_seconds=0.05,
            retry=quick_retry,
        ),
        simulated(
            "scaffold_package",
            "An agent writes or completes the package from its plan.",
            input={"prompt": "str", "package_name": "str", "package_path": "str"},
            output="ScaffoldResult",
            result={
                "files": [
                    "{package_path}/package.json",
                    "{package_path}/src/index.ts",
                    "{package_path}/src/index.test.ts",
                    "{package_path}/README.md",
                ],
                "summary": "scaffolded {package_name} from its plan",
            },
            delay_seconds=0.2,
            timeout="15m",
            heartbeat="1m",
            retry=quick_retry,
        ),
        simulated(
            "fix_package",
            "An agent reads the failing step's output and fixes the code.",
            input={"prompt": "str", "package_name": "str", "step": "str"},
            output="FixResult",
            result={"files_changed": 2, "summary": "fixed the {step} failures of {package_name}"},
            delay_seconds=0.1,
            timeout="15m",
            heartbeat="1m",
            retry=quick_retry,
        ),
        simulated(
            "build_package",
            "Compiles the package (tsc) and bundles it.",
            input={"package_name": "str", "package_path": "str", "attempt": "int"},
            output="BuildArtifacts",
            result={"artifacts": ["dist/index.js", "dist/index.d.ts"], "warnings": 0},
            delay_seconds=0.1,
            timeout="10m",
            heartbeat="1m",
            retry=once,
        ),
        simulated(
            "run_tests",
            "Runs the package's tests; a freshly scaffolded package fails its first run.",
            input={"package_name": "str", "package_path": "str", "attempt": "int"},
            output="TestReport",
            result={"passed": 42, "failed": 0, "coverage": 91.5},
            delay_seconds=0.1,
            fail_when={"attempt": 1},
            fail_when_retryable=True,
            fail_message="{package_name}: 3 of 42 tests failed on attempt {attempt}",
            timeout="10m",
            heartbeat="1m",
            retry=once,
        ),
        simulated(
            "check_quality",
            "Lint, type check and the quality score.",
            input={"package_name": "str", "package_path": "str", "attempt": "int"},
            output="QualityReport",
            result={"lint_errors": 0, "type_errors": 0, "score": 94},
            delay_seconds=0.05,
            timeout="10m",
            heartbeat="1m",
            retry=once,
        ),
        simulated(
            "publish_package",
            "Publishes the package (the registry answers 503 on the first try).",
            input={"package_name": "str", "version": "str", "registry": "str"},
            output="PublishReceipt",
            result={
                "version": "{version}",
                "tarball": "{package_name}-{version}.tgz",
                "registry": "{registry}",
            },
            delay_seconds=0.05,
            fail_attempts=1,
            fail_message="{registry} answered 503 Service Unavailable",
            retry=quick_retry,
        ),
        simulated(
            "write_report",
            "Writes the package's build report.",
            input={"package_name": "str", "outcome": "str", "fix_attempts": "int"},
            output="str",
            result="reports/packages/{package_name}.md",
        ),
        # continuous-builder and mcp-poller
        simulated(
            "update_mcp_package_status",
            "Marks a package published or failed in the MCP packages API.",
            input={"package_name": "str", "status": "str", "error": "str"},
            retry=quick_retry,
        ),
        simulated(
            "query_mcp_for_packages",
            "Asks the MCP packages API for the build queue (packages ready to build).",
            input={"limit": "int"},
            output="list[Package]",
            result=[
                {"name": "@bernierllc/logger", "priority": 100, "dependencies": []},
                {
                    "name": "@bernierllc/retry-policy",
                    "priority": 90,
                    "dependencies": ["@bernierllc/logger"],
                },
                {
                    "name": "@bernierllc/email-sender",
                    "priority": 80,
                    "dependencies": ["@bernierllc/logger", "@bernierllc/retry-policy"],
                },
            ],
            delay_seconds=0.1,
            timeout="2m",
            retry=quick_retry,
        ),
    ]


def package_builder(scale: float) -> WorkflowBuilder:
    w = WorkflowBuilder(
        "package-builder",
        "Package Builder",
        "Builds a set of packages in five phases; BUILD runs one package-build child per "
        "package, each after its dependencies, at most max_concurrent at once.",
        input={
            "build_id": "str",
            "packages": "list[Package]",
            "max_concurrent": "int",
            "workspace_root": "str",
            "registry": "str",
        },
        output="BuilderReport",
        state=[
            {"name": "build_order", "type": "list[Package]", "default": []},
            {"name": "built", "type": "list[str]", "default": []},
            # Any: the spawner's result is not annotated, so mypy sees its parts as Collection[str]
            {"name": "failed", "type": "Any", "default": {}},
            {"name": "skipped", "type": "list[str]", "default": []},
            {"name": "integration_passed", "type": "bool", "default": False},
            {"name": "report_path", "type": "str", "default": ""},
        ],
        settings={"id_template": "package-builder-{input.build_id}"},
    )
    w.node("start", "start", "Start")

    w.node("initialize", "phase", "INITIALIZE")
    w.node(
        "dependency_graph",
        "activity",
        "Build Dependency Graph",
        parent="initialize",
        activity="build_dependency_graph",
        args={"packages": "input.packages"},
        result="graph",
    )
    w.node(
        "keep_order",
        "set_state",
        "Keep Build Order",
        parent="initialize",
        assignments=[{"target": "state.build_order", "value": "graph"}],
    )
    w.chain("dependency_graph", "keep_order")

    w.node("plan", "phase", "PLAN")
    w.node(
        "verify_plans",
        "activity",
        "Verify Plans",
        parent="plan",
        activity="verify_plans",
        args={"packages": "state.build_order", "workspace_root": "input.workspace_root"},
        result="plans",
    )
    w.node(
        "plans_present",
        "condition",
        "All plans present?",
        parent="plan",
        expression=("plans.all_present"),
    )
    w.node(
        "missing_plans",
        "fail",
        "Plans missing",
        parent="plan",
        message="no plan for {plans.missing}; write them before building",
        error_type="PlansMissing",
    )
    w.chain("verify_plans", "plans_present")
    w.edge("plans_present", "missing_plans", "false")

    w.node("build", "phase", "BUILD")
    w.node(
        "spawn_builds",
        "spawn_children",
        "Concurrent Package Builds",
        parent="build",
        workflow="package-build",
        items="state.build_order",
        key="item.name",
        args={
            "package_name": "item.name",
            "dependencies": "item.dependencies",
            "workspace_root": "input.workspace_root",
            "registry": "input.registry",
        },
        id_template="package-build-{input.build_id}-{item.name}",
        depends_on="item.dependencies",
        concurrency_from="input.max_concurrent",
        failure_policy="continue",
        result="builds",
    )
    w.node(
        "record_builds",
        "set_state",
        "Record Outcomes",
        parent="build",
        assignments=[
            {"target": "state.built", "value": "sorted(builds['completed'])"},
            {"target": "state.failed", "value": "builds['failed']"},
            {"target": "state.skipped", "value": "sorted(builds['skipped'])"},
        ],
    )
    w.chain("spawn_builds", "record_builds")

    w.node("verify", "phase", "VERIFY")
    w.node(
        "integration_tests",
        "activity",
        "Integration Tests",
        parent="verify",
        activity="run_integration_tests",
        args={"packages": "state.built", "workspace_root": "input.workspace_root"},
        result="integration",
    )
    w.node(
        "record_integration",
        "set_state",
        "Record Integration Result",
        parent="verify",
        assignments=[{"target": "state.integration_passed", "value": "integration.passed"}],
    )
    w.chain("integration_tests", "record_integration")

    w.node("complete", "phase", "COMPLETE")
    w.node(
        "generate_report",
        "activity",
        "Generate Report",
        parent="complete",
        activity="generate_report",
        args={
            "build_id": "input.build_id",
            "built": "state.built",
            "failed": "state.failed",
            "skipped": "state.skipped",
            "integration_passed": "state.integration_passed",
        },
        result="report",
    )
    w.node(
        "keep_report",
        "set_state",
        "Keep Report Path",
        parent="complete",
        assignments=[{"target": "state.report_path", "value": "report"}],
    )
    w.chain("generate_report", "keep_report")

    w.node(
        "end",
        "end",
        "End",
        value=(
            "BuilderReport(build_id=input.build_id, built=state.built, failed=state.failed, "
            "skipped=state.skipped, integration_passed=state.integration_passed, "
            "report_path=state.report_path)"
        ),
    )
    w.chain("start", "initialize", "plan", "build", "verify", "complete", "end")
    return w


def _step_with_fix(
    w: WorkflowBuilder,
    step: str,
    label: str,
    activity: str,
    fix_prompt: str,
    scale: float,
) -> str:
    """A retry container: the step, and from the second attempt on an agent fix before it."""
    container = f"{step}_retry"
    w.node(
        container,
        "retry",
        f"{label} (with Retry)",
        backoff="exponential",
        initial_interval=duration(30, scale),
        multiplier=2.0,
        maximum_interval=duration(300, scale),
        max_attempts=3,
    )
    w.node(
        f"{step}_failed_before",
        "condition",
        "Failed before?",
        parent=container,
        expression=("attempt > 1"),
    )
    w.node(
        f"fix_{step}",
        "agent",
        f"Fix {label}",
        parent=container,
        activity="fix_package",
        prompt=fix_prompt,
        args={"package_name": "input.package_name", "step": repr(step)},
    )
    w.node(
        f"count_{step}_fix",
        "set_state",
        "Count Fix",
        parent=container,
        assignments=[{"target": "state.fix_attempts", "value": "state.fix_attempts + 1"}],
    )
    w.node(
        f"run_{step}",
        "activity",
        label,
        parent=container,
        activity=activity,
        args={
            "package_name": "input.package_name",
            "package_path": "state.package_path",
            "attempt": "attempt",
        },
        result=f"{step}_report",
    )
    w.edge(f"{step}_failed_before", f"fix_{step}", "true")
    w.chain(f"fix_{step}", f"count_{step}_fix", f"run_{step}")
    w.edge(f"{step}_failed_before", f"run_{step}", "false")
    w.node(
        f"{step}_gave_up",
        "fail",
        f"{label} Failed",
        message=f"{{input.package_name}}: {step} still failing after 3 attempts and "
        f"{{state.fix_attempts}} agent fixes",
        error_type=f"{label.replace(' ', '')}Failed",
    )
    w.edge(container, f"{step}_gave_up", "exhausted")
    return container


def package_build(scale: float) -> WorkflowBuilder:
    w = WorkflowBuilder(
        "package-build",
        "Package Build",
        "Builds one package: pre-flight validation, audits, dependency check, an agent "
        "scaffold, then build, tests and quality with agent fixes between attempts, publish "
        "and report.",
        input={
            "package_name": "str",
            "dependencies": "list[str]",
            "workspace_root": "str",
            "registry": "str",
        },
        output="BuildResult",
        state=[
            {"name": "package_path", "type": "str", "default": ""},
            {"name": "outcome", "type": "str", "default": "new"},
            {"name": "remaining_work", "type": "list[str]", "default": []},
            {"name": "fix_attempts", "type": "int", "default": 0},
            {"name": "quality_score", "type": "int", "default": 0},
        ],
        settings={"id_template": "package-build-{input.package_name}"},
    )
    w.node("start", "start", "Start")
    w.node(
        "preflight",
        "activity",
        "Pre-Flight Validation",
        activity="preflight_validation",
        args={"package_name": "input.package_name", "workspace_root": "input.workspace_root"},
        result="preflight",
    )
    w.node(
        "keep_path",
        "set_state",
        "Keep Package Path",
        assignments=[{"target": "state.package_path", "value": "preflight.package_path"}],
    )
    w.node("code_exists", "condition", "Code Exists?", expression="preflight.code_exists")
    w.node("published", "condition", "Published?", expression="preflight.published")
    w.node("upgrade_plan", "condition", "Upgrade Plan?", expression="preflight.has_upgrade_plan")
    w.node(
        "audit_upgrade",
        "activity",
        "Audit Upgrade",
        activity="audit_upgrade",
        args={
            "package_name": "input.package_name",
            "package_path": "preflight.package_path",
            "plan_path": "preflight.plan_path",
        },
        result="upgrade_audit",
    )
    w.node(
        "note_upgrade",
        "set_state",
        "Note Upgrade Work",
        assignments=[
            {"target": "state.outcome", "value": "'upgraded'"},
            {"target": "state.remaining_work", "value": "upgrade_audit.remaining"},
        ],
    )
    w.node(
        "nothing_to_do",
        "end",
        "Already Published",
        value=(
            "BuildResult(package_name=input.package_name, outcome='already-published', "
            "version=preflight.version, fix_attempts=0, quality_score=0, report_path='')"
        ),
    )
    w.node(
        "audit_state",
        "activity",
        "Audit State",
        activity="audit_state",
        args={"package_name": "input.package_name", "package_path": "preflight.package_path"},
        result="state_audit",
    )
    w.node(
        "note_state",
        "set_state",
        "Note Remaining Work",
        assignments=[
            {"target": "state.outcome", "value": "'completed'"},
            {"target": "state.remaining_work", "value": "state_audit.remaining"},
        ],
    )
    w.node(
        "verify_dependencies",
        "activity",
        "Verify Dependencies",
        activity="verify_dependencies",
        args={
            "package_name": "input.package_name",
            "dependencies": "input.dependencies",
            "registry": "input.registry",
        },
        result="dependency_check",
    )
    w.node(
        "dependencies_missing_check",
        "condition",
        "Dependencies missing?",
        expression="not dependency_check.ready",
    )
    w.node(
        "dependencies_missing",
        "fail",
        "Dependencies Missing",
        message="{input.package_name} needs {dependency_check.missing} published first",
        error_type="DependenciesMissing",
    )
    w.node(
        "scaffold",
        "agent",
        "Scaffold Package",
        activity="scaffold_package",
        prompt=(
            "You are building the TypeScript package {input.package_name} at "
            "{state.package_path}. Follow its plan at {preflight.plan_path}. Work still to do: "
            "{state.remaining_work}. It depends on {input.dependencies}. Write the code, the "
            "tests and the README."
        ),
        args={"package_name": "input.package_name", "package_path": "state.package_path"},
    )
    build_retry = _step_with_fix(
        w,
        "build",
        "Build",
        "build_package",
        "The build of {input.package_name} at {state.package_path} failed on attempt "
        "{attempt - 1}. Read the compiler errors and fix the code; do not change the public API.",
        scale,
    )
    tests_retry = _step_with_fix(
        w,
        "tests",
        "Tests",
        "run_tests",
        "The tests of {input.package_name} at {state.package_path} failed on attempt "
        "{attempt - 1}. Read the failures and fix the code or the tests, whichever is wrong.",
        scale,
    )
    quality_retry = _step_with_fix(
        w,
        "quality",
        "Quality",
        "check_quality",
        "The quality checks of {input.package_name} at {state.package_path} failed on attempt "
        "{attempt - 1}. Fix the lint and type errors.",
        scale,
    )
    w.node(
        "keep_score",
        "set_state",
        "Keep Quality Score",
        parent=quality_retry,
        assignments=[{"target": "state.quality_score", "value": "quality_report.score"}],
    )
    w.edge("run_quality", "keep_score")
    w.node(
        "publish",
        "activity",
        "Publish Package",
        activity="publish_package",
        args={
            "package_name": "input.package_name",
            "version": "preflight.version",
            "registry": "input.registry",
        },
        result="receipt",
    )
    w.node(
        "report",
        "activity",
        "Write Report",
        activity="write_report",
        args={
            "package_name": "input.package_name",
            "outcome": "state.outcome",
            "fix_attempts": "state.fix_attempts",
        },
        result="report_path",
    )
    w.node(
        "end",
        "end",
        "End",
        value=(
            "BuildResult(package_name=input.package_name, outcome=state.outcome, "
            "version=receipt.version, fix_attempts=state.fix_attempts, "
            "quality_score=state.quality_score, report_path=report_path)"
        ),
    )
    w.chain("start", "preflight", "keep_path", "code_exists")
    w.edge("code_exists", "published", "true")
    w.edge("code_exists", "verify_dependencies", "false")
    w.edge("published", "upgrade_plan", "true")
    w.edge("published", "audit_state", "false")
    w.edge("upgrade_plan", "audit_upgrade", "true")
    w.edge("upgrade_plan", "nothing_to_do", "false")
    w.chain("audit_upgrade", "note_upgrade", "verify_dependencies")
    w.chain("audit_state", "note_state", "verify_dependencies")
    w.chain("verify_dependencies", "dependencies_missing_check")
    w.edge("dependencies_missing_check", "dependencies_missing", "true")
    w.edge("dependencies_missing_check", "scaffold", "false")
    w.chain("scaffold", build_retry, tests_retry, quality_retry, "publish", "report", "end")
    return w


def continuous_builder(scale: float, history_limit: int, orchestrator_id: str) -> WorkflowBuilder:
    w = WorkflowBuilder(
        "continuous-builder",
        "Continuous Builder",
        "Long-running orchestrator: keeps a build queue fed by signals, builds up to "
        "max_concurrent packages as package-build children, retries a failed package up to 3 "
        "times with exponential backoff and continues-as-new carrying the queue and counters.",
        input={"max_concurrent": "int", "workspace_root": "str", "registry": "str"},
        output="dict[str, int]",
        # one builder: the poller's schedule signals it by this id
        settings={"id_template": orchestrator_id},
        state=[
            {"name": "queue", "type": "list[Package]", "default": []},
            {"name": "initialized", "type": "bool", "default": False},
            {"name": "max_concurrent", "type": "int", "default": 4},
            {"name": "paused", "type": "bool", "default": False},
            {"name": "draining", "type": "bool", "default": False},
            {"name": "emergency_stop", "type": "bool", "default": False},
            {"name": "received", "type": "int", "default": 0},
            {"name": "duplicates_ignored", "type": "int", "default": 0},
        ],
    )
    w.node("start", "start", "Start")
    w.node("first_run", "condition", "First run?", expression="not state.initialized")
    w.node(
        "initialize",
        "set_state",
        "Initialize State",
        assignments=[
            {"target": "state.max_concurrent", "value": "max(1, input.max_concurrent)"},
            {"target": "state.initialized", "value": "True"},
        ],
    )
    w.node(
        "main_loop",
        "work_queue",
        "Main Loop: Spawn Builds",
        queue="queue",
        workflow="package-build",
        key="item.name",
        order_by="-item.priority",
        args={
            "package_name": "item.name",
            "dependencies": "item.dependencies",
            "workspace_root": "input.workspace_root",
            "registry": "input.registry",
        },
        id_template="build-{item.name}",
        concurrency_from="state.max_concurrent",
        paused_when="state.paused",
        drain_when="state.draining",
        stop_when="state.emergency_stop",
        max_attempts=3,
        retry_initial=duration(30, scale),
        retry_multiplier=2.0,
        retry_maximum=duration(600, scale),
        history_limit=history_limit,
        on_done={
            "activity": "update_mcp_package_status",
            "args": {"package_name": "item.name", "status": "'published'", "error": "''"},
        },
        on_failed={
            "activity": "update_mcp_package_status",
            "args": {"package_name": "item.name", "status": "'failed'", "error": "error"},
        },
    )
    w.node(
        "end",
        "end",
        "Drained",
        value=(
            "{'completed': state.progress.completed, 'failed': state.progress.failed, "
            "'queued': len(state.queue)}"
        ),
    )
    w.chain("start", "first_run")
    w.edge("first_run", "initialize", "true")
    w.edge("first_run", "main_loop", "false")
    w.chain("initialize", "main_loop", "end")

    w.node(
        "new_packages",
        "signal",
        "newPackages",
        name="newPackages",
        params={"packages": "list[Package]"},
    )
    w.node(
        "enqueue",
        "set_state",
        "Merge Into Queue (Deduplicated by Name)",
        assignments=[
            {
                "target": "fresh",
                "value": (
                    "[p for p in payload.packages if p.name not in [q.name for q in state.queue]"
                    " and p.name not in state.progress.items]"
                ),
            },
            {"target": "state.queue", "value": "state.queue + fresh"},
            {"target": "state.received", "value": "state.received + len(payload.packages)"},
            {
                "target": "state.duplicates_ignored",
                "value": "state.duplicates_ignored + len(payload.packages) - len(fresh)",
            },
        ],
    )
    w.chain("new_packages", "enqueue")
    for signal, label, field, value in (
        ("pause", "Pause", "state.paused", "True"),
        ("resume", "Resume", "state.paused", "False"),
        ("drain", "Drain", "state.draining", "True"),
        ("emergencyStop", "Emergency Stop", "state.emergency_stop", "True"),
    ):
        node_id = f"on_{signal.lower()}"
        w.node(node_id, "signal", signal, name=signal)
        w.node(
            f"set_{signal.lower()}",
            "set_state",
            label,
            assignments=[{"target": field, "value": value}],
        )
        w.chain(node_id, f"set_{signal.lower()}")
    w.node(
        "adjust_concurrency",
        "signal",
        "adjustConcurrency",
        name="adjustConcurrency",
        params={"limit": "int"},
    )
    w.node(
        "set_limit",
        "set_state",
        "Set Concurrency",
        assignments=[{"target": "state.max_concurrent", "value": "max(1, payload.limit)"}],
    )
    w.chain("adjust_concurrency", "set_limit")
    w.node(
        "get_state",
        "query",
        "getState",
        name="getState",
        returns="OrchestratorSnapshot",
        value=(
            "OrchestratorSnapshot(internal_queue=state.queue, "
            "active_builds=state.progress.running, failed_retries=state.progress.attempts, "
            "waiting_to_retry=sorted(state.progress.retry_at), is_paused=state.paused, "
            "is_draining=state.draining, emergency_stop=state.emergency_stop, "
            "max_concurrent=state.max_concurrent, received=state.received, "
            "duplicates_ignored=state.duplicates_ignored, "
            "completed=state.progress.completed, failed=state.progress.failed, "
            "retried=state.progress.retried, continued_as_new=state.progress.continued_as_new)"
        ),
    )
    return w


def mcp_poller(orchestrator_id: str) -> WorkflowBuilder:
    w = WorkflowBuilder(
        "mcp-poller",
        "MCP Poller",
        "Every 30 minutes: asks MCP for up to 50 packages ready to build and signals the "
        "continuous builder, only when some came back.",
        input={"limit": "int", "orchestrator_id": "str"},
        output="int",
    )
    w.node(
        "every_30_minutes",
        "schedule",
        "Every 30 Minutes",
        schedule_id="mcp-poller-every-30-minutes",
        interval="30m",
        overlap="skip",
        catchup_window="5m",
        note="poll the MCP build queue",
        args={"limit": "50", "orchestrator_id": repr(orchestrator_id)},
    )
    w.node("start", "start", "Start (Cron)")
    w.node(
        "query_mcp",
        "activity",
        "Query MCP",
        activity="query_mcp_for_packages",
        args={"limit": "input.limit"},
        result="packages",
    )
    w.node("any_packages", "condition", "Packages available?", expression="len(packages) > 0")
    w.node(
        "signal_orchestrator",
        "signal_external",
        "Signal Orchestrator",
        workflow_id="{input.orchestrator_id}",
        signal="newPackages",
        workflow="continuous-builder",
        args={"packages": "packages"},
    )
    w.node("signalled", "end", "End", value="len(packages)")
    w.node("nothing", "end", "Nothing to Build", value="0")
    w.chain("start", "query_mcp", "any_packages")
    w.edge("any_packages", "signal_orchestrator", "true")
    w.edge("any_packages", "nothing", "false")
    w.chain("signal_orchestrator", "signalled")
    return w


def build(
    *,
    project_id: str = PROJECT_ID,
    scale: float = 1.0,
    history_limit: int = 10_000,
    orchestrator_id: str = ORCHESTRATOR_ID,
) -> dict[str, Any]:
    """The Package Management project.

    `scale` multiplies the workflows' waits (tests pass a small one); `history_limit` is where
    the continuous builder continues-as-new; `orchestrator_id` is the builder the poller's
    schedule signals.
    """
    return project(
        project_id,
        "Package Management",
        "Builds packages in dependency order and keeps a continuous build queue fed from the "
        "MCP packages API.",
        task_queue=project_id,
        types=types(),
        activities=activities(scale),
        workflows=[
            package_builder(scale),
            package_build(scale),
            continuous_builder(scale, history_limit, orchestrator_id),
            mcp_poller(orchestrator_id),
        ],
    )
