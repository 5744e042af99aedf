"""Autonomous Development: agents plan, patch, review, respond to incidents and migrate code.

Recreates the autonomous development workflows: plan-patch-pr (design, issues, parallel code
generation, quality gates with automatic fixes, auto-merge only above a quality threshold, a
saga that undoes its commits, PR and branch on failure), incremental-patch, incident-swarm
(evidence gathered in parallel, several diagnosis agents, a consensus that auto-fixes only at
70 % confidence or more and escalates otherwise, a `rollback` signal honoured at any time),
continuous-monitoring (one incident-swarm child per alert), code-migration (incremental steps
each validated and rolled back on failure, or a batch in parallel; pause and resume signals; a
progress query), quality-gate (8 checks in parallel, a weighted score, required and optional
checks, a can-merge decision) and continuous-quality.

`build(time_scale=...)` multiplies every duration, so tests run the real graph in seconds.
"""

from __future__ import annotations

from typing import Any

from samples.builder import WorkflowBuilder, project, simulated

PROJECT_ID = "autonomous-dev"
CHECKS: list[tuple[str, str, float]] = [
    ("unit_tests", "Unit tests", 0.20),
    ("integration_tests", "Integration tests", 0.15),
    ("linting", "Linting", 0.05),
    ("security_scan", "Security scanning", 0.20),
    ("code_coverage", "Code coverage", 0.10),
    ("performance_tests", "Performance tests", 0.10),
    ("dependency_vulnerabilities", "Dependency vulnerabilities", 0.10),
    ("static_analysis", "Static analysis", 0.10),
]
"""The quality gate's checks: (name, label, weight); the weights add up to 1."""
REQUIRED_CHECKS = ["unit_tests", "integration_tests", "security_scan", "dependency_vulnerabilities"]
"""Checks a PR must pass to merge unless the caller names others."""
CHECK_REPORTS: dict[str, dict[str, Any]] = {
    "unit_tests": {"passed": True, "score": 98.0, "issues": 0, "details": "412 passed, 0 failed"},
    "integration_tests": {
        "passed": True,
        "score": 94.0,
        "issues": 0,
        "details": "86 passed, 3 skipped",
    },
    "linting": {"passed": False, "score": 72.0, "issues": 23, "details": "23 errors (F401, E711)"},
    "security_scan": {
        "passed": True,
        "score": 100.0,
        "issues": 0,
        "details": "bandit, safety, semgrep: 0 high or critical",
    },
    "code_coverage": {
        "passed": False,
        "score": 78.0,
        "issues": 6,
        "details": "78% line coverage, below 80%",
    },
    "performance_tests": {
        "passed": True,
        "score": 91.0,
        "issues": 0,
        "details": "p95 212 ms within the 250 ms budget",
    },
    "dependency_vulnerabilities": {
        "passed": True,
        "score": 88.0,
        "issues": 2,
        "details": "2 low-severity advisories",
    },
    "static_analysis": {
        "passed": False,
        "score": 70.0,
        "issues": 14,
        "details": "14 code smells, 2 complex functions",
    },
}
"""What each simulated check reports."""
AUTO_FIXABLE = {"linting", "code_coverage", "static_analysis"}
FIXED_SCORE = 94.0
"""The score of a check after its automatic fix."""
AUTO_FIX_CONFIDENCE = 0.7
DIAGNOSIS_AGENTS: list[tuple[str, str, str, float]] = [
    ("metrics", "SRE agent: diagnose from metrics", "diagnose_from_metrics", 0.91),
    ("logs", "Log forensics agent: diagnose from logs", "diagnose_from_logs", 0.86),
    ("changes", "Change-correlation agent: diagnose from deploys", "diagnose_from_changes", 0.78),
]
"""(agent id, label, activity, the confidence it reports)."""
CANARY = "19.0.0-canary"
"""Simulated: migrating to this target fails validation at the createRoot step."""
MIGRATION_STEPS = [
    ("upgrade-dependencies", "Upgrade react and react-dom", ["package.json", "package-lock.json"]),
    ("codemod-lifecycles", "Rename legacy lifecycle methods", ["src/components/Legacy.tsx"]),
    ("update-root-api", "Switch to the createRoot API", ["src/index.tsx"]),
    ("update-types", "Update @types/react", ["src/types.d.ts"]),
    ("fix-tests", "Fix tests for concurrent rendering", ["src/App.test.tsx"]),
    ("update-docs", "Update the upgrade notes", ["docs/upgrade.md"]),
]


def duration(seconds: float, scale: float) -> str:
    """A duration string for `seconds * scale`: whole hours, minutes or seconds, else ms."""
    value = seconds * scale
    if value >= 1 and value == int(value):
        whole = int(value)
        for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
            if whole % size == 0:
                return f"{whole // size}{unit}"
        return f"{whole}s"
    return f"{max(10, round(value * 1000))}ms"


def _types() -> dict[str, Any]:
    def t(description: str, **fields: str) -> dict[str, Any]:
        return {"description": description, "fields": fields}

    return {
        "Design": t(
            "The Chief Architect's design document.",
            title="str",
            components="list[str]",
            decisions="list[str]",
            document_url="str",
        ),
        "DevIssue": t(
            "A development issue the Planner created.",
            issue_id="str",
            title="str",
            component="str",
            points="int",
        ),
        "Patch": t(
            "Code changes for one issue.",
            issue_id="str",
            files="list[str]",
            additions="int",
            deletions="int",
            summary="str",
        ),
        "Branch": t("A git branch.", name="str", base="str", head_sha="str"),
        "CommitRef": t("A commit.", sha="str", branch="str", message="str"),
        "PullRequest": t("A pull request.", number="int", url="str", branch="str", title="str"),
        "TestRun": t(
            "A test run.", passed="bool", tests_run="int", failures="list[str]", duration_s="float"
        ),
        "CheckReport": t(
            "What one quality check reports.",
            name="str",
            passed="bool",
            score="float",
            issues="int",
            details="str",
            auto_fixable="bool",
        ),
        "QualityCheck": t(
            "A check as the quality gate weighs it.",
            name="str",
            passed="bool",
            score="float",
            weight="float",
            required="bool",
            issues="int",
            details="str",
            auto_fixable="bool",
        ),
        "FixResult": t(
            "An agent's automatic fix of a failing check.",
            check="str",
            fixed="bool",
            new_score="float",
            commit_sha="str",
            details="str",
        ),
        "QualityGateResult": t(
            "The quality gate's verdict on a PR.",
            pr_number="int",
            overall_score="float",
            threshold="float",
            passed_checks="list[str]",
            failed_checks="list[str]",
            required_failed="list[str]",
            optional_failed="list[str]",
            fixes_applied="list[str]",
            blocking_issues="list[str]",
            can_merge="bool",
            checks="list[QualityCheck]",
        ),
        "PRResult": t(
            "Where a change ended up.",
            status="str",
            pr_number="int",
            pr_url="str",
            branch="str",
            quality_score="float",
            merged="bool",
            issues="int",
            patches="int",
        ),
        "PullRequestRef": t("A PR to check.", pr_number="int", branch="str", head_sha="str"),
        "Alert": t(
            "A production alert.",
            alert_id="str",
            service="str",
            severity="str",
            title="str",
            metric_anomaly="str",
            log_signature="str",
        ),
        "ServiceMetrics": t(
            "Metrics around the alert.",
            service="str",
            anomaly="str",
            current="float",
            baseline="float",
            error_rate="float",
            p99_latency_ms="float",
        ),
        "ServiceLogs": t(
            "Logs around the alert.",
            service="str",
            top_error="str",
            error_count="int",
            sample="list[str]",
        ),
        "LogAnalysis": t(
            "An agent's reading of the logs.", dominant_error="str", summary="str", first_seen="str"
        ),
        "Diagnosis": t(
            "One agent's diagnosis.",
            agent_id="str",
            root_cause="str",
            confidence="float",
            evidence="list[str]",
            suggested_fix="str",
        ),
        "HotFix": t("A generated fix.", summary="str", files="list[str]", risk="str", branch="str"),
        "Postmortem": t("A post-mortem document.", url="str", title="str"),
        "IncidentResult": t(
            "How an incident ended.",
            alert_id="str",
            status="str",
            root_cause="str",
            confidence="float",
            agreeing_agents="list[str]",
            hotfix_pr="int",
            escalated_to="str",
            rolled_back="bool",
            postmortem_url="str",
        ),
        "CodebaseAnalysis": t(
            "What a migration touches.",
            files_scanned="int",
            affected_files="int",
            patterns="list[str]",
            risk="str",
        ),
        "MigrationStep": t(
            "One step of a migration plan.",
            step_id="str",
            title="str",
            order="int",
            files="list[str]",
        ),
        "MigrationPlan": t(
            "A dependency-ordered migration plan.",
            title="str",
            steps="list[MigrationStep]",
            estimated_minutes="int",
        ),
        "StepChange": t(
            "Code an agent generated for a step.", step_id="str", files="list[str]", summary="str"
        ),
        "AppliedStep": t("A step committed to the branch.", step_id="str", commit_sha="str"),
        "StepValidation": t(
            "A step's validation.", step_id="str", passed="bool", errors="list[str]"
        ),
        "MigrationResult": t(
            "How a migration ended.",
            status="str",
            mode="str",
            total_steps="int",
            completed_steps="list[str]",
            failed_step="str",
            failure="str",
            rolled_back_steps="list[str]",
            pr_number="int",
        ),
    }


def _activities(scale: float) -> list[dict[str, Any]]:
    def retry(attempts: int = 3, initial: float = 2) -> dict[str, Any]:
        return {
            "initial_interval": duration(initial, scale),
            "maximum_interval": duration(initial * 30, scale),
            "maximum_attempts": attempts,
        }

    def agent(
        name: str, description: str, output: str, result: Any, **inputs: str
    ) -> dict[str, Any]:
        return simulated(
            name,
            description,
            input={"prompt": "str", **inputs},
            output=output,
            result=result,
            delay_seconds=0.05,
            timeout="15m",
            heartbeat="1m",
            retry=retry(),
        )

    catalogue = [
        # agents: design and planning
        agent(
            "create_design",
            "Chief Architect: a design document for a requirement.",
            "Design",
            {
                "title": "OAuth2 login",
                "components": ["auth-service", "web-login", "session-store"],
                "decisions": ["authorization code flow with PKCE", "sessions in Redis"],
                "document_url": "https://docs.example.com/designs/oauth2-login",
            },
        ),
        agent(
            "create_issues",
            "Planner: development issues from a design.",
            "list[DevIssue]",
            [
                {
                    "issue_id": "AUTH-1",
                    "title": "OAuth2 client and callback endpoint",
                    "component": "auth-service",
                    "points": 5,
                },
                {
                    "issue_id": "AUTH-2",
                    "title": "Session store in Redis",
                    "component": "session-store",
                    "points": 3,
                },
                {
                    "issue_id": "AUTH-3",
                    "title": "Login button and redirect",
                    "component": "web-login",
                    "points": 2,
                },
                {
                    "issue_id": "AUTH-4",
                    "title": "Logout and token revocation",
                    "component": "auth-service",
                    "points": 3,
                },
            ],
        ),
        agent(
            "generate_code",
            "Coder: implements one issue.",
            "Patch",
            {
                "issue_id": "{issue_id}",
                "files": ["src/{issue_id}.py", "tests/test_{issue_id}.py"],
                "additions": 164,
                "deletions": 9,
                "summary": "implements {issue_id}",
            },
            issue_id="str",
        ),
        agent(
            "generate_patch",
            "Coder: a patch for a small issue, given the last test failures.",
            "Patch",
            {
                "issue_id": "{issue_id}",
                "files": ["src/fix_{issue_id}.py"],
                "additions": 12,
                "deletions": 4,
                "summary": "patch for {issue_id}",
            },
            issue_id="str",
        ),
        agent(
            "auto_fix_check",
            "Reviewer: fixes what a failing check found (lint, coverage, static analysis).",
            "FixResult",
            {
                "check": "{check}",
                "fixed": True,
                "new_score": FIXED_SCORE,
                "commit_sha": "f1x-{check}",
                "details": "{check} fixed automatically",
            },
            check="str",
            branch="str",
        ),
        # agents: incidents
        agent(
            "analyze_logs",
            "Log analysis agent: the dominant error and when it started.",
            "LogAnalysis",
            {
                "dominant_error": "{top_error}",
                "summary": "{top_error} dominates since the last deploy",
                "first_seen": "12 minutes ago",
            },
            top_error="str",
        ),
        agent(
            "generate_fix",
            "Coder: a hotfix for the agreed root cause.",
            "HotFix",
            {
                "summary": "fix {root_cause}",
                "files": ["src/db/pool.py"],
                "risk": "low",
                "branch": "hotfix/{alert_id}",
            },
            root_cause="str",
            alert_id="str",
        ),
        agent(
            "create_postmortem",
            "Writes the post-mortem document.",
            "Postmortem",
            {
                "url": "https://docs.example.com/postmortems/{alert_id}",
                "title": "Post-mortem {alert_id}",
            },
            alert_id="str",
        ),
        # agents: migration
        agent(
            "analyze_codebase",
            "Scans the codebase for what a migration touches.",
            "CodebaseAnalysis",
            {
                "files_scanned": 500,
                "affected_files": 42,
                "patterns": ["componentWillMount", "ReactDOM.render", "defaultProps"],
                "risk": "medium",
            },
            migration_type="str",
        ),
        agent(
            "create_migration_plan",
            "A dependency-ordered plan of migration steps.",
            "MigrationPlan",
            {
                "title": "{migration_type}: {source_version} to {target_version}",
                "steps": [
                    {"step_id": step_id, "title": title, "order": index + 1, "files": files}
                    for index, (step_id, title, files) in enumerate(MIGRATION_STEPS)
                ],
                "estimated_minutes": 36,
            },
            migration_type="str",
            source_version="str",
            target_version="str",
        ),
        agent(
            "generate_migration_step",
            "Generates the code of one migration step.",
            "StepChange",
            {"step_id": "{step_id}", "files": ["src/{step_id}.tsx"], "summary": "{step_id} done"},
            step_id="str",
        ),
    ]
    for agent_id, _label, activity, confidence in DIAGNOSIS_AGENTS:
        catalogue.append(
            agent(
                activity,
                f"Diagnosis agent ({agent_id}): a root cause and how sure it is.",
                "Diagnosis",
                {
                    "agent_id": agent_id,
                    "root_cause": "{hypothesis}",
                    "confidence": confidence,
                    "evidence": ["{evidence}"],
                    "suggested_fix": "mitigate {hypothesis}",
                },
                hypothesis="str",
                evidence="str",
            )
        )
    github = [
        simulated(
            "create_branch",
            "GitHub: creates a branch.",
            input={"repository": "str", "name": "str", "base": "str"},
            output="Branch",
            result={"name": "{name}", "base": "{base}", "head_sha": "e4f5a6b"},
            retry=retry(),
        ),
        simulated(
            "delete_branch",
            "GitHub: deletes a branch (compensation).",
            input={"repository": "str", "name": "str"},
        ),
        simulated(
            "create_commit",
            "GitHub: commits files to a branch.",
            input={"branch": "str", "message": "str", "files": "list[str]"},
            output="CommitRef",
            result={"sha": "c0de-{branch}", "branch": "{branch}", "message": "{message}"},
            retry=retry(),
        ),
        simulated(
            "revert_commit",
            "GitHub: reverts a commit (compensation).",
            input={"branch": "str", "sha": "str"},
        ),
        simulated(
            "push_branch",
            "GitHub: pushes a branch.",
            input={"branch": "str"},
            retry=retry(),
        ),
        simulated(
            "create_pull_request",
            "GitHub: opens a PR.",
            input={"repository": "str", "branch": "str", "title": "str", "body": "str"},
            output="PullRequest",
            result={
                "number": 456,
                "url": "https://github.com/{repository}/pull/456",
                "branch": "{branch}",
                "title": "{title}",
            },
            retry=retry(),
        ),
        simulated(
            "close_pull_request",
            "GitHub: closes a PR (compensation).",
            input={"number": "int", "comment": "str"},
        ),
        simulated(
            "merge_pull_request",
            "GitHub: squash-merges a PR.",
            input={"number": "int"},
            output="str",
            result="merged-{number}",
            retry=retry(),
        ),
        simulated(
            "request_pr_review",
            "GitHub: asks humans to review a PR.",
            input={"number": "int", "reviewers": "list[str]"},
            retry=retry(),
        ),
        simulated(
            "update_pr_status",
            "GitHub: sets the PR's commit status.",
            input={"number": "int", "state": "str", "description": "str"},
        ),
        simulated(
            "add_pr_comment",
            "GitHub: comments on a PR.",
            input={"number": "int", "body": "str"},
        ),
    ]
    tools = [
        simulated(
            "run_tests",
            "Runs the tests affected by a patch. Simulated: the first attempt of a patch fails "
            "two tests.",
            input={"branch": "str", "attempt": "int"},
            output="TestRun",
            result={"passed": True, "tests_run": 128, "failures": [], "duration_s": 41.0},
            fail_when={"attempt": 1},
            fail_when_retryable=True,
            fail_message="2 tests failed: test_login_redirect, test_token_refresh",
            retry={"maximum_attempts": 1},
        ),
        simulated(
            "fetch_metrics",
            "Service metrics around the alert.",
            input={"service": "str", "anomaly": "str"},
            output="ServiceMetrics",
            result={
                "service": "{service}",
                "anomaly": "{anomaly}",
                "current": 98.5,
                "baseline": 41.0,
                "error_rate": 0.12,
                "p99_latency_ms": 2300.0,
            },
            delay_seconds=0.05,
        ),
        simulated(
            "fetch_logs",
            "Service logs around the alert.",
            input={"service": "str", "signature": "str"},
            output="ServiceLogs",
            result={
                "service": "{service}",
                "top_error": "{signature}",
                "error_count": 1240,
                "sample": ["ERROR {signature} in request handler"],
            },
            delay_seconds=0.05,
        ),
        simulated(
            "run_fix_tests",
            "Runs the test suite against a hotfix branch.",
            input={"branch": "str"},
            output="TestRun",
            result={"passed": True, "tests_run": 412, "failures": [], "duration_s": 96.0},
        ),
        simulated(
            "create_hotfix_pr",
            "GitHub: opens the hotfix PR.",
            input={"branch": "str", "title": "str"},
            output="PullRequest",
            result={
                "number": 789,
                "url": "https://github.com/example/app/pull/789",
                "branch": "{branch}",
                "title": "{title}",
            },
        ),
        simulated(
            "rollback_deployment",
            "Rolls the service back to its last good release.",
            input={"service": "str", "reason": "str"},
        ),
        simulated(
            "notify_team",
            "Slack / PagerDuty notification.",
            input={"channel": "str", "message": "str", "severity": "str"},
        ),
        simulated(
            "record_incident",
            "Stores how an incident ended.",
            input={"alert_id": "str", "status": "str", "root_cause": "str"},
        ),
        simulated(
            "record_quality_result",
            "Stores a PR's quality verdict.",
            input={"pr_number": "int", "score": "float", "can_merge": "bool"},
        ),
        simulated(
            "apply_migration_step",
            "Commits one migration step to the branch.",
            input={"branch": "str", "step_id": "str", "files": "list[str]"},
            output="AppliedStep",
            result={"step_id": "{step_id}", "commit_sha": "m1g-{step_id}"},
            retry=retry(),
        ),
        simulated(
            "revert_migration_step",
            "Reverts one migration step (compensation).",
            input={"branch": "str", "step_id": "str", "commit_sha": "str"},
        ),
        simulated(
            "validate_migration_step",
            "Builds, type-checks and tests after a step. Simulated: a migration to "
            f"{CANARY} fails at the createRoot step.",
            input={"step_id": "str", "target_version": "str"},
            output="StepValidation",
            result={"step_id": "{step_id}", "passed": True, "errors": []},
            fail_when={"step_id": "update-root-api", "target_version": CANARY},
            fail_message="validation of {step_id} failed: createRoot is not exported by "
            "react-dom@{target_version}",
            retry={"maximum_attempts": 1},
            delay_seconds=0.02,
        ),
    ]
    for name, label, _weight in CHECKS:
        report = CHECK_REPORTS[name]
        flaky = name == "integration_tests"
        tools.append(
            simulated(
                f"run_{name}",
                f"{label} on the PR's branch."
                + (" The first attempt finds its database not ready." if flaky else ""),
                input={"branch": "str"},
                output="CheckReport",
                result={**report, "name": name, "auto_fixable": name in AUTO_FIXABLE},
                delay_seconds=0.05,
                fail_attempts=1 if flaky else 0,
                fail_message="database container not ready",
                retry=retry(),
                timeout="20m",
                heartbeat="1m",
            )
        )
    return catalogue + github + tools


# quality


def _quality_gate() -> WorkflowBuilder:
    weights = {name: weight for name, _label, weight in CHECKS}
    wf = WorkflowBuilder(
        "quality-gate",
        "Quality gate",
        "Runs 8 quality checks in parallel (a check that cannot run fails closed), lets "
        "agents fix lint, coverage and static-analysis findings, computes the weighted "
        "score, and decides: merge only when every required check passes and the score "
        "reaches the threshold.",
        input={
            "pr_number": "int",
            "branch": "str",
            "min_score": "float",
            "auto_fix": "bool",
            "required_checks": "list[str]",
        },
        output="QualityGateResult",
        state=[
            {"name": "weights", "type": "dict[str, float]", "default": weights},
            {"name": "checks", "type": "list[QualityCheck]"},
            {"name": "fixes_applied", "type": "list[str]"},
            {"name": "overall_score", "type": "float"},
            {"name": "required_failed", "type": "list[str]"},
            {"name": "optional_failed", "type": "list[str]"},
            {"name": "blocking_issues", "type": "list[str]"},
            {"name": "can_merge", "type": "bool"},
            {"name": "status", "type": "str", "default": "checking"},
        ],
    )
    order = repr([name for name, _label, _weight in CHECKS])
    wf.node("start", "start", "PR to check")
    wf.node("checks", "parallel", "8 quality checks in parallel", mode="all")
    wf.node("checked", "join", "All checks reported")
    for name, label, _weight in CHECKS:
        wf.node(f"{name}_guard", "try", label)
        wf.node(
            name,
            "activity",
            f"run_{name}",
            parent=f"{name}_guard",
            activity=f"run_{name}",
            args={"branch": "input.branch"},
            result=f"{name}_report",
        )
        report = f"{name}_report"
        wf.node(
            f"{name}_weigh",
            "set_state",
            "Weigh",
            parent=f"{name}_guard",
            assignments=[
                {
                    "target": "state.checks",
                    "value": f"state.checks + [QualityCheck(name={report}.name, "
                    f"passed={report}.passed, score={report}.score, "
                    f"weight=state.weights[{report}.name], "
                    f"required={report}.name in input.required_checks, "
                    f"issues={report}.issues, details={report}.details, "
                    f"auto_fixable={report}.auto_fixable)]",
                }
            ],
        )
        wf.chain(name, f"{name}_weigh")
        wf.node(
            f"{name}_closed",
            "set_state",
            "Could not run: fails closed",
            assignments=[
                {
                    "target": "state.checks",
                    "value": f"state.checks + [QualityCheck(name={name!r}, passed=False, "
                    f"score=0.0, weight=state.weights[{name!r}], "
                    f"required={name!r} in input.required_checks, issues=1, "
                    "details='check could not run: ' + error, auto_fixable=False)]",
                }
            ],
        )
        wf.edge("checks", f"{name}_guard", "branch")
        wf.edge(f"{name}_guard", "checked")
        wf.edge(f"{name}_guard", f"{name}_closed", "error")
        wf.chain(f"{name}_closed", "checked")
    wf.node("auto_fix", "condition", "Automatic fixes on?", expression="input.auto_fix")
    wf.node(
        "fixes",
        "loop",
        "Fix lint, coverage, static analysis (one at a time)",
        mode="for_each",
        items="[c for c in state.checks if not c.passed and c.auto_fixable]",
    )
    wf.node(
        "fix",
        "agent",
        "Reviewer: fix the findings",
        parent="fixes",
        activity="auto_fix_check",
        prompt="Fix what {item.name} found on {input.branch}: {item.details}. Commit the fix.",
        args={"check": "item.name", "branch": "input.branch"},
        result="fix",
    )
    wf.node(
        "refresh",
        "set_state",
        "Re-score the fixed check",
        parent="fixes",
        assignments=[
            {
                "target": "state.checks",
                "value": "[QualityCheck(name=c.name, passed=fix.fixed, "
                "score=fix.new_score if fix.fixed else c.score, weight=c.weight, "
                "required=c.required, issues=0 if fix.fixed else c.issues, details=fix.details, "
                "auto_fixable=c.auto_fixable) if c.name == item.name else c "
                "for c in state.checks]",
            },
            {
                "target": "state.fixes_applied",
                "value": "state.fixes_applied + ([item.name] if fix.fixed else [])",
            },
        ],
    )
    wf.chain("fix", "refresh")
    wf.node(
        "score",
        "set_state",
        "Weighted score and can-merge decision",
        assignments=[
            {
                "target": "state.overall_score",
                "value": "round(sum(c.score * c.weight for c in state.checks) "
                "/ max(0.0001, sum(c.weight for c in state.checks)), 1)",
            },
            {
                "target": "state.required_failed",
                "value": "[c.name for c in state.checks if c.required and not c.passed]",
            },
            {
                "target": "state.optional_failed",
                "value": "[c.name for c in state.checks if not c.required and not c.passed]",
            },
            {
                "target": "state.blocking_issues",
                "value": "[f'{c.name} (required): {c.details}' for c in state.checks "
                "if c.required and not c.passed] + "
                "([f'overall score {state.overall_score} below {input.min_score}'] "
                "if state.overall_score < input.min_score else [])",
            },
            {"target": "state.can_merge", "value": "not state.blocking_issues"},
            {"target": "state.status", "value": "'passed' if state.can_merge else 'blocked'"},
        ],
    )
    wf.node(
        "status",
        "activity",
        "Update PR status",
        activity="update_pr_status",
        args={
            "number": "input.pr_number",
            "state": "'success' if state.can_merge else 'failure'",
            "description": "f'quality score {state.overall_score} (threshold {input.min_score})'",
        },
    )
    wf.node(
        "comment",
        "activity",
        "Comment the report on the PR",
        activity="add_pr_comment",
        args={
            "number": "input.pr_number",
            "body": "f'Quality gate: {state.overall_score}/100. Passed: "
            "{[c.name for c in state.checks if c.passed]}. Blocking: {state.blocking_issues}. "
            "Fixed automatically: {state.fixes_applied}.'",
        },
    )
    wf.node(
        "verdict",
        "end",
        "Verdict",
        value="QualityGateResult(pr_number=input.pr_number, overall_score=state.overall_score, "
        "threshold=input.min_score, "
        "passed_checks=[c.name for c in state.checks if c.passed], "
        "failed_checks=[c.name for c in state.checks if not c.passed], "
        "required_failed=state.required_failed, optional_failed=state.optional_failed, "
        "fixes_applied=state.fixes_applied, blocking_issues=state.blocking_issues, "
        "can_merge=state.can_merge, checks=state.checks)",
    )
    wf.chain("start", "checks")
    wf.node(
        "order",
        "set_state",
        "Order the reports",
        assignments=[
            {
                "target": "state.checks",
                "value": f"[c for name in {order} for c in state.checks if c.name == name]",
            },
            {"target": "state.status", "value": "'scoring'"},
        ],
    )
    wf.chain("checked", "order", "auto_fix")
    wf.edge("auto_fix", "fixes", "true")
    wf.edge("auto_fix", "score", "false")
    wf.chain("fixes", "score", "status", "comment", "verdict")
    wf.node(
        "get_status",
        "query",
        "get_status",
        name="get_status",
        returns="dict[str, Any]",
        value="{'status': state.status, 'reported': [c.name for c in state.checks], "
        "'score': state.overall_score, 'can_merge': state.can_merge}",
    )
    return wf


def _continuous_quality(scale: float) -> WorkflowBuilder:
    wf = WorkflowBuilder(
        "continuous-quality",
        "Continuous quality",
        "Long-running: every PR update that arrives by signal (deduplicated by PR head) gets "
        "a quality-gate child, up to the limit, and its verdict is recorded; pause, resume "
        "and drain; continues-as-new carrying the queue.",
        input={"repository": "str", "min_score": "float", "max_concurrent": "int"},
        output="dict[str, int]",
        state=[
            {"name": "queue", "type": "list[PullRequestRef]"},
            {"name": "seen", "type": "list[str]"},
            {"name": "duplicates", "type": "int"},
            {"name": "paused", "type": "bool"},
            {"name": "draining", "type": "bool"},
        ],
    )
    wf.node("start", "start", "Repository")
    wf.node(
        "gate_each",
        "work_queue",
        "Quality gate per PR update",
        queue="queue",
        workflow="quality-gate",
        key="f'{item.pr_number}-{item.head_sha}'",
        id_template="quality-gate-{input.repository}-{item.pr_number}-{item.head_sha}",
        args={
            "pr_number": "item.pr_number",
            "branch": "item.branch",
            "min_score": "input.min_score",
            "auto_fix": "True",
            "required_checks": repr(REQUIRED_CHECKS),
        },
        concurrency_from="input.max_concurrent",
        paused_when="state.paused",
        drain_when="state.draining",
        max_attempts=2,
        retry_initial=duration(60, scale),
        retry_maximum=duration(600, scale),
        on_done={
            "activity": "record_quality_result",
            "args": {
                "pr_number": "item.pr_number",
                "score": "result.overall_score",
                "can_merge": "result.can_merge",
            },
        },
    )
    wf.node(
        "drained",
        "end",
        "Drained",
        value="{'checked': state.progress.completed, 'failed': state.progress.failed, "
        "'duplicates': state.duplicates}",
    )
    wf.chain("start", "gate_each", "drained")
    wf.node("pr_updated", "signal", "prUpdated", name="prUpdated", params={"pr": "PullRequestRef"})
    wf.node(
        "new_head",
        "condition",
        "New PR head?",
        expression="f'{payload.pr.pr_number}-{payload.pr.head_sha}' not in state.seen",
    )
    wf.node(
        "enqueue",
        "set_state",
        "Queue the PR",
        assignments=[
            {"target": "state.queue", "value": "state.queue + [payload.pr]"},
            {
                "target": "state.seen",
                "value": "state.seen[-999:] + [f'{payload.pr.pr_number}-{payload.pr.head_sha}']",
            },
        ],
    )
    wf.node(
        "duplicate",
        "set_state",
        "Count duplicate",
        assignments=[{"target": "state.duplicates", "value": "state.duplicates + 1"}],
    )
    wf.chain("pr_updated", "new_head")
    wf.edge("new_head", "enqueue", "true")
    wf.edge("new_head", "duplicate", "false")
    for key, name, target, value in (
        ("pause", "pause", "state.paused", "True"),
        ("resume", "resume", "state.paused", "False"),
        ("drain", "drain", "state.draining", "True"),
    ):
        wf.node(key, "signal", name, name=name)
        wf.node(
            f"{key}_apply",
            "set_state",
            name.capitalize(),
            assignments=[{"target": target, "value": value}],
        )
        wf.chain(key, f"{key}_apply")
    wf.node(
        "stats",
        "query",
        "get_stats",
        name="get_stats",
        returns="dict[str, Any]",
        value="{'queued': len(state.queue), 'running': len(state.progress.running), "
        "'checked': state.progress.completed, 'failed': state.progress.failed, "
        "'paused': state.paused, 'draining': state.draining}",
    )
    return wf


# plan, patch, PR


def _plan_patch_pr() -> WorkflowBuilder:
    wf = WorkflowBuilder(
        "plan-patch-pr",
        "Plan, patch, PR",
        "Chief Architect designs, Planner creates issues, coders generate code in parallel, "
        "the quality gate checks and fixes; auto-merge only above the quality threshold. On "
        "a failure the saga reverts the commits, closes the PR and deletes the branch.",
        input={
            "requirement": "str",
            "repository": "str",
            "base_branch": "str",
            "quality_threshold": "float",
            "auto_merge": "bool",
        },
        output="PRResult",
        state=[
            {"name": "status", "type": "str", "default": "designing"},
            {"name": "issues", "type": "list[DevIssue]"},
            {"name": "patches", "type": "list[Patch]"},
            {"name": "branch", "type": "str"},
            {"name": "pr_number", "type": "int"},
            {"name": "pr_url", "type": "str"},
            {"name": "quality_score", "type": "float"},
            {"name": "merged", "type": "bool"},
            {"name": "error", "type": "str"},
        ],
    )
    wf.node("start", "start", "Requirement")
    wf.node(
        "design",
        "agent",
        "Chief Architect: create design",
        activity="create_design",
        prompt="As Chief Architect, write the design document for: {input.requirement} "
        "(repository {input.repository})",
        result="design",
    )
    wf.node(
        "plan",
        "agent",
        "Planner: create issues",
        activity="create_issues",
        prompt="Break this design into development issues: {design.title}, components "
        "{design.components}, decisions {design.decisions}",
        result="issues",
    )
    wf.node(
        "planned",
        "set_state",
        "Record issues",
        assignments=[
            {"target": "state.issues", "value": "issues"},
            {"target": "state.branch", "value": "'auto/' + workflow_id"},
            {"target": "state.status", "value": "'coding'"},
        ],
    )
    wf.node("deliver", "try", "Deliver (saga: undo on failure)")
    wf.node(
        "branch",
        "activity",
        "Create branch",
        parent="deliver",
        activity="create_branch",
        args={
            "repository": "input.repository",
            "name": "state.branch",
            "base": "input.base_branch",
        },
        compensation={
            "activity": "delete_branch",
            "args": {"repository": "input.repository", "name": "state.branch"},
        },
    )
    wf.node(
        "coders",
        "loop",
        "Generate code in parallel (4 coders)",
        parent="deliver",
        mode="for_each",
        items="state.issues",
        concurrency=4,
    )
    wf.node(
        "code",
        "agent",
        "Coder: generate code",
        parent="coders",
        activity="generate_code",
        prompt="Implement {item.issue_id}: {item.title} in {item.component}, following "
        "{design.document_url}",
        args={"issue_id": "item.issue_id"},
        result="patch",
    )
    wf.node(
        "commit",
        "activity",
        "Commit",
        parent="coders",
        activity="create_commit",
        args={
            "branch": "state.branch",
            "message": "f'feat: {item.title} ({item.issue_id})'",
            "files": "patch.files",
        },
        result="commit",
        compensation={
            "activity": "revert_commit",
            "args": {"branch": "state.branch", "sha": "commit.sha"},
        },
    )
    wf.node(
        "collect",
        "set_state",
        "Collect patch",
        parent="coders",
        assignments=[{"target": "state.patches", "value": "state.patches + [patch]"}],
    )
    wf.chain("code", "commit", "collect")
    wf.node(
        "push",
        "activity",
        "Push branch",
        parent="deliver",
        activity="push_branch",
        args={"branch": "state.branch"},
    )
    wf.node(
        "open_pr",
        "activity",
        "Create pull request",
        parent="deliver",
        activity="create_pull_request",
        args={
            "repository": "input.repository",
            "branch": "state.branch",
            "title": "design.title",
            "body": "f'{input.requirement}\\n\\nDesign: {design.document_url}\\n"
            "Issues: {[i.issue_id for i in state.issues]}'",
        },
        result="pr",
        compensation={
            "activity": "close_pull_request",
            "args": {"number": "pr.number", "comment": "'closed: the change was rolled back'"},
        },
    )
    wf.node(
        "opened",
        "set_state",
        "Record PR",
        parent="deliver",
        assignments=[
            {"target": "state.pr_number", "value": "pr.number"},
            {"target": "state.pr_url", "value": "pr.url"},
            {"target": "state.status", "value": "'quality gates'"},
        ],
    )
    wf.node(
        "quality",
        "child_workflow",
        "Quality gates (with automatic fixes)",
        parent="deliver",
        workflow="quality-gate",
        args={
            "pr_number": "pr.number",
            "branch": "state.branch",
            "min_score": "input.quality_threshold",
            "auto_fix": "True",
            "required_checks": repr(REQUIRED_CHECKS),
        },
        id_template="{workflow_id}-quality-gate",
        result="qa",
    )
    wf.node(
        "scored",
        "set_state",
        "Record quality",
        parent="deliver",
        assignments=[{"target": "state.quality_score", "value": "qa.overall_score"}],
    )
    wf.node(
        "merge_ok",
        "condition",
        "Auto-merge? (can merge, score above threshold, enabled)",
        parent="deliver",
        expression="qa.can_merge and qa.overall_score >= input.quality_threshold "
        "and input.auto_merge",
    )
    wf.node(
        "merge",
        "activity",
        "Merge PR",
        parent="deliver",
        activity="merge_pull_request",
        args={"number": "pr.number"},
    )
    wf.node(
        "merged",
        "set_state",
        "Merged",
        parent="deliver",
        assignments=[
            {"target": "state.merged", "value": "True"},
            {"target": "state.status", "value": "'merged'"},
        ],
    )
    wf.node(
        "review",
        "activity",
        "Request human review",
        parent="deliver",
        activity="request_pr_review",
        args={"number": "pr.number", "reviewers": "['tech-lead']"},
    )
    wf.node(
        "awaiting",
        "set_state",
        "Awaiting review",
        parent="deliver",
        assignments=[{"target": "state.status", "value": "'awaiting review'"}],
    )
    wf.chain("branch", "coders", "push", "open_pr", "opened", "quality", "scored", "merge_ok")
    wf.edge("merge_ok", "merge", "true")
    wf.chain("merge", "merged")
    wf.edge("merge_ok", "review", "false")
    wf.chain("review", "awaiting")
    wf.node(
        "undone",
        "set_state",
        "Rolled back",
        assignments=[
            {"target": "state.status", "value": "'failed'"},
            {"target": "state.error", "value": "error"},
        ],
    )
    wf.node(
        "failed",
        "condition",
        "Rolled back?",
        expression="state.status == 'failed'",
    )
    wf.node(
        "notify",
        "activity",
        "Notify team",
        activity="notify_team",
        args={
            "channel": "'#eng-autonomous'",
            "message": "f'plan-patch-pr rolled back: {state.error}'",
            "severity": "'warning'",
        },
    )
    wf.node(
        "give_up",
        "fail",
        "Fail",
        message="could not deliver '{input.requirement}': {state.error}",
        error_type="DeliveryFailed",
    )
    wf.node(
        "done",
        "end",
        "PR result",
        value="PRResult(status=state.status, pr_number=state.pr_number, pr_url=state.pr_url, "
        "branch=state.branch, quality_score=state.quality_score, merged=state.merged, "
        "issues=len(state.issues), patches=len(state.patches))",
    )
    wf.chain("start", "design", "plan", "planned", "deliver", "failed")
    wf.edge("deliver", "undone", "error")
    wf.chain("undone", "failed")
    wf.edge("failed", "notify", "true")
    wf.chain("notify", "give_up")
    wf.edge("failed", "done", "false")
    wf.node(
        "get_status",
        "query",
        "get_status",
        name="get_status",
        returns="dict[str, Any]",
        value="{'status': state.status, 'issues': len(state.issues), "
        "'patches': len(state.patches), 'pr_number': state.pr_number, "
        "'quality_score': state.quality_score}",
    )
    return wf


def _incremental_patch(scale: float) -> WorkflowBuilder:
    wf = WorkflowBuilder(
        "incremental-patch",
        "Incremental patch",
        "A small change: an agent writes a patch, the affected tests run, up to 3 attempts "
        "with backoff (the next attempt sees the failures); then commit, PR, quality gate and "
        "merge when it may.",
        input={
            "issue_id": "str",
            "description": "str",
            "repository": "str",
            "base_branch": "str",
            "quality_threshold": "float",
        },
        output="PRResult",
        state=[
            {"name": "status", "type": "str", "default": "patching"},
            {"name": "files", "type": "list[str]"},
            {"name": "attempts", "type": "int"},
            {"name": "merged", "type": "bool"},
        ],
    )
    wf.node("start", "start", "Issue")
    wf.node(
        "branch",
        "activity",
        "Create branch",
        activity="create_branch",
        args={
            "repository": "input.repository",
            "name": "'patch/' + input.issue_id",
            "base": "input.base_branch",
        },
        result="branch",
    )
    wf.node(
        "attempts",
        "retry",
        "Patch until the tests pass (3 attempts)",
        backoff="exponential",
        initial_interval=duration(30, scale),
        max_attempts=3,
    )
    wf.node(
        "patch",
        "agent",
        "Coder: generate patch",
        parent="attempts",
        activity="generate_patch",
        prompt="Attempt {attempt}: fix {input.issue_id}: {input.description}",
        args={"issue_id": "input.issue_id"},
        result="patch",
    )
    wf.node(
        "test",
        "activity",
        "Run affected tests",
        parent="attempts",
        activity="run_tests",
        args={"branch": "branch.name", "attempt": "attempt"},
    )
    wf.node(
        "keep",
        "set_state",
        "Keep the patch",
        parent="attempts",
        assignments=[
            {"target": "state.files", "value": "patch.files"},
            {"target": "state.attempts", "value": "attempt"},
        ],
    )
    wf.chain("patch", "test", "keep")
    wf.node(
        "cleanup",
        "activity",
        "Delete branch",
        activity="delete_branch",
        args={"repository": "input.repository", "name": "branch.name"},
    )
    wf.node(
        "no_patch",
        "fail",
        "No passing patch",
        message="no passing patch for {input.issue_id} in 3 attempts",
        error_type="PatchFailed",
    )
    wf.node(
        "commit",
        "activity",
        "Commit",
        activity="create_commit",
        args={
            "branch": "branch.name",
            "message": "f'fix: {input.description} ({input.issue_id})'",
            "files": "state.files",
        },
    )
    wf.node(
        "open_pr",
        "activity",
        "Create pull request",
        activity="create_pull_request",
        args={
            "repository": "input.repository",
            "branch": "branch.name",
            "title": "f'fix: {input.issue_id}'",
            "body": "input.description",
        },
        result="pr",
    )
    wf.node(
        "quality",
        "child_workflow",
        "Quality gates",
        workflow="quality-gate",
        args={
            "pr_number": "pr.number",
            "branch": "branch.name",
            "min_score": "input.quality_threshold",
            "auto_fix": "True",
            "required_checks": repr(REQUIRED_CHECKS),
        },
        id_template="{workflow_id}-quality-gate",
        result="qa",
    )
    wf.node("merge_ok", "condition", "Can merge?", expression="qa.can_merge")
    wf.node(
        "merge",
        "activity",
        "Merge PR",
        activity="merge_pull_request",
        args={"number": "pr.number"},
    )
    wf.node(
        "merged",
        "set_state",
        "Merged",
        assignments=[
            {"target": "state.merged", "value": "True"},
            {"target": "state.status", "value": "'merged'"},
        ],
    )
    wf.node(
        "review",
        "activity",
        "Request human review",
        activity="request_pr_review",
        args={"number": "pr.number", "reviewers": "['code-owner']"},
    )
    wf.node(
        "awaiting",
        "set_state",
        "Awaiting review",
        assignments=[{"target": "state.status", "value": "'awaiting review'"}],
    )
    wf.node(
        "done",
        "end",
        "PR result",
        value="PRResult(status=state.status, pr_number=pr.number, pr_url=pr.url, "
        "branch=branch.name, quality_score=qa.overall_score, merged=state.merged, issues=1, "
        "patches=state.attempts)",
    )
    wf.chain("start", "branch", "attempts")
    wf.edge("attempts", "cleanup", "exhausted")
    wf.chain("cleanup", "no_patch")
    wf.edge("attempts", "commit")
    wf.chain("commit", "open_pr", "quality", "merge_ok")
    wf.edge("merge_ok", "merge", "true")
    wf.chain("merge", "merged", "done")
    wf.edge("merge_ok", "review", "false")
    wf.chain("review", "awaiting", "done")
    return wf


# incidents


def _incident_swarm() -> WorkflowBuilder:
    wf = WorkflowBuilder(
        "incident-swarm",
        "Incident swarm",
        "Metrics and logs in parallel, three diagnosis agents in parallel, a consensus "
        "weighted by confidence and agreement: at 70 % or more a fix is generated, tested and "
        "proposed as a hotfix PR, below it the on-call is paged. A rollback signal rolls the "
        "service back at any time. Then a post-mortem.",
        input={"alert": "Alert"},
        output="IncidentResult",
        state=[
            {"name": "status", "type": "str", "default": "started"},
            {"name": "threshold", "type": "float", "default": AUTO_FIX_CONFIDENCE},
            {"name": "anomaly", "type": "str"},
            {"name": "error_rate", "type": "float"},
            {"name": "dominant_error", "type": "str"},
            {"name": "diagnoses", "type": "list[Diagnosis]"},
            {"name": "root_cause", "type": "str"},
            {"name": "confidence", "type": "float"},
            {"name": "agreeing", "type": "list[str]"},
            {"name": "hotfix_pr", "type": "int"},
            {"name": "escalated_to", "type": "str"},
            {"name": "rollback_requested", "type": "bool"},
            {"name": "rollback_reason", "type": "str"},
            {"name": "rolled_back", "type": "bool"},
        ],
        settings={"id_template": "incident-{input.alert.alert_id}"},
    )
    wf.node("start", "start", "Alert")
    wf.node("respond", "parallel", "Respond, unless a rollback is requested", mode="race")
    wf.node("respond_done", "join", "Responded or rolled back")
    # evidence
    wf.node("gather", "parallel", "Gather context in parallel", mode="all")
    wf.node(
        "metrics",
        "activity",
        "Fetch metrics",
        activity="fetch_metrics",
        args={"service": "input.alert.service", "anomaly": "input.alert.metric_anomaly"},
        result="metrics",
    )
    wf.node(
        "record_metrics",
        "set_state",
        "Record metrics",
        assignments=[
            {"target": "state.anomaly", "value": "metrics.anomaly"},
            {"target": "state.error_rate", "value": "metrics.error_rate"},
        ],
    )
    wf.node(
        "logs",
        "activity",
        "Fetch logs",
        activity="fetch_logs",
        args={"service": "input.alert.service", "signature": "input.alert.log_signature"},
        result="logs",
    )
    wf.node(
        "read_logs",
        "agent",
        "Analyze logs",
        activity="analyze_logs",
        prompt="Find the dominant error in these {logs.error_count} log lines of "
        "{logs.service}: {logs.sample}",
        args={"top_error": "logs.top_error"},
        result="log_analysis",
    )
    wf.node(
        "record_logs",
        "set_state",
        "Record logs",
        assignments=[{"target": "state.dominant_error", "value": "log_analysis.dominant_error"}],
    )
    wf.node("gathered", "join", "Context gathered")
    wf.edge("gather", "metrics", "branch")
    wf.edge("gather", "logs", "branch")
    wf.chain("metrics", "record_metrics", "gathered")
    wf.chain("logs", "read_logs", "record_logs", "gathered")
    # the swarm
    wf.node("swarm", "parallel", "Diagnosis agents in parallel (swarm)", mode="all")
    wf.node("diagnosed", "join", "Diagnoses in")
    hypotheses = {"metrics": "state.anomaly", "logs": "state.dominant_error"}
    for agent_id, label, activity, _confidence in DIAGNOSIS_AGENTS:
        hypothesis = hypotheses.get(agent_id, "state.dominant_error")
        wf.node(
            f"diagnose_{agent_id}",
            "agent",
            label,
            activity=activity,
            prompt=f"Alert {{input.alert.title}} on {{input.alert.service}}. Working from the "
            f"{agent_id}, name the root cause and how confident you are. Leading signal: "
            f"{{{hypothesis}}}",
            args={"hypothesis": hypothesis, "evidence": f"'{agent_id}: ' + {hypothesis}"},
            result=f"{agent_id}_diagnosis",
        )
        wf.node(
            f"record_{agent_id}_diagnosis",
            "set_state",
            "Record diagnosis",
            assignments=[
                {
                    "target": "state.diagnoses",
                    "value": f"state.diagnoses + [{agent_id}_diagnosis]",
                }
            ],
        )
        wf.edge("swarm", f"diagnose_{agent_id}", "branch")
        wf.chain(f"diagnose_{agent_id}", f"record_{agent_id}_diagnosis", "diagnosed")
    wf.node(
        "consensus",
        "set_state",
        "Consensus: group diagnoses, weigh by confidence and agreement",
        assignments=[
            {
                "target": "support",
                "value": "{d.root_cause: sum(e.confidence for e in state.diagnoses "
                "if e.root_cause == d.root_cause) for d in state.diagnoses}",
            },
            {"target": "best", "value": "max([support[c] for c in support], default=0.0)"},
            {
                "target": "state.root_cause",
                "value": "min([c for c in support if support[c] == best], default='unknown')",
            },
            {
                "target": "state.confidence",
                "value": "round(best / max(1, len(state.diagnoses)), 2)",
            },
            {
                "target": "state.agreeing",
                "value": "sorted(d.agent_id for d in state.diagnoses "
                "if d.root_cause == state.root_cause)",
            },
            {"target": "state.status", "value": "'diagnosed'"},
        ],
    )
    wf.node(
        "confident",
        "condition",
        "Confidence ≥ 70 %?",
        expression="state.confidence >= state.threshold",
    )
    wf.node(
        "fix",
        "agent",
        "Generate fix",
        activity="generate_fix",
        prompt="Write a minimal fix for {state.root_cause} in {input.alert.service} "
        "(agreed by {state.agreeing}, confidence {state.confidence})",
        args={"root_cause": "state.root_cause", "alert_id": "input.alert.alert_id"},
        result="hotfix",
    )
    wf.node(
        "test_fix",
        "activity",
        "Test fix",
        activity="run_fix_tests",
        args={"branch": "hotfix.branch"},
        result="fix_tests",
    )
    wf.node("fix_ok", "condition", "Fix tests pass?", expression="fix_tests.passed")
    wf.node(
        "hotfix_pr",
        "activity",
        "Create hotfix PR",
        activity="create_hotfix_pr",
        args={"branch": "hotfix.branch", "title": "f'hotfix: {state.root_cause}'"},
        result="pr",
    )
    wf.node(
        "auto_fixed",
        "set_state",
        "Auto-fixed",
        assignments=[
            {"target": "state.hotfix_pr", "value": "pr.number"},
            {"target": "state.status", "value": "'auto_fixed'"},
        ],
    )
    wf.node(
        "fix_failed",
        "activity",
        "Escalate: fix failed its tests",
        activity="notify_team",
        args={
            "channel": "'#incidents'",
            "message": "f'{input.alert.alert_id}: the fix for {state.root_cause} failed tests "
            "{fix_tests.failures}'",
            "severity": "input.alert.severity",
        },
    )
    wf.node(
        "escalated_after_fix",
        "set_state",
        "Escalated",
        assignments=[
            {"target": "state.status", "value": "'escalated'"},
            {"target": "state.escalated_to", "value": "'on-call engineer'"},
        ],
    )
    wf.node(
        "page",
        "activity",
        "Escalate: page the on-call",
        activity="notify_team",
        args={
            "channel": "'pagerduty:on-call'",
            "message": "f'{input.alert.alert_id} {input.alert.title}: no consensus "
            "({state.confidence} < {state.threshold}); diagnoses '"
            " + str([(d.agent_id, d.root_cause, d.confidence) for d in state.diagnoses])",
            "severity": "input.alert.severity",
        },
    )
    wf.node(
        "escalated",
        "set_state",
        "Escalated",
        assignments=[
            {"target": "state.status", "value": "'escalated'"},
            {"target": "state.escalated_to", "value": "'on-call engineer'"},
        ],
    )
    wf.chain("gathered", "swarm")
    wf.chain("diagnosed", "consensus", "confident")
    wf.edge("confident", "fix", "true")
    wf.chain("fix", "test_fix", "fix_ok")
    wf.edge("fix_ok", "hotfix_pr", "true")
    wf.chain("hotfix_pr", "auto_fixed", "respond_done")
    wf.edge("fix_ok", "fix_failed", "false")
    wf.chain("fix_failed", "escalated_after_fix", "respond_done")
    wf.edge("confident", "page", "false")
    wf.chain("page", "escalated", "respond_done")
    # the rollback watch
    wf.node(
        "rollback_watch",
        "wait",
        "Rollback requested?",
        gate="rollback (send the rollback signal)",
        approved_when="state.rollback_requested",
    )
    wf.node(
        "stop_responding",
        "set_state",
        "Stop responding",
        assignments=[{"target": "state.status", "value": "'rolling back'"}],
    )
    wf.node(
        "responding",
        "set_state",
        "Respond to the alert",
        assignments=[{"target": "state.status", "value": "'gathering context'"}],
    )
    wf.edge("respond", "responding", "branch")
    wf.chain("responding", "gather")
    wf.edge("respond", "rollback_watch", "branch")
    wf.edge("rollback_watch", "stop_responding", "approved")
    wf.chain("stop_responding", "respond_done")
    wf.node("roll_back", "condition", "Roll back?", expression="state.rollback_requested")
    wf.node(
        "rollback",
        "activity",
        "Roll back the service",
        activity="rollback_deployment",
        args={"service": "input.alert.service", "reason": "state.rollback_reason"},
    )
    wf.node(
        "rolled_back",
        "set_state",
        "Rolled back",
        assignments=[
            {"target": "state.rolled_back", "value": "True"},
            {"target": "state.status", "value": "'rolled_back'"},
        ],
    )
    wf.node(
        "postmortem",
        "agent",
        "Create post-mortem",
        activity="create_postmortem",
        prompt="Write the post-mortem of {input.alert.alert_id} ({input.alert.title}): "
        "status {state.status}, root cause {state.root_cause} at {state.confidence}, "
        "diagnoses {[(d.agent_id, d.root_cause) for d in state.diagnoses]}",
        args={"alert_id": "input.alert.alert_id"},
        result="postmortem",
    )
    wf.node(
        "resolved",
        "end",
        "Incident result",
        value="IncidentResult(alert_id=input.alert.alert_id, status=state.status, "
        "root_cause=state.root_cause, confidence=state.confidence, "
        "agreeing_agents=state.agreeing, hotfix_pr=state.hotfix_pr, "
        "escalated_to=state.escalated_to, rolled_back=state.rolled_back, "
        "postmortem_url=postmortem.url)",
    )
    wf.chain("start", "respond")
    wf.chain("respond_done", "roll_back")
    wf.edge("roll_back", "rollback", "true")
    wf.chain("rollback", "rolled_back", "postmortem")
    wf.edge("roll_back", "postmortem", "false")
    wf.chain("postmortem", "resolved")
    wf.node("rollback_signal", "signal", "rollback", name="rollback", params={"reason": "str"})
    wf.node(
        "request_rollback",
        "set_state",
        "Request rollback",
        assignments=[
            {"target": "state.rollback_requested", "value": "True"},
            {"target": "state.rollback_reason", "value": "payload.reason"},
        ],
    )
    wf.chain("rollback_signal", "request_rollback")
    wf.node(
        "get_status",
        "query",
        "get_status",
        name="get_status",
        returns="dict[str, Any]",
        value="{'status': state.status, 'root_cause': state.root_cause, "
        "'confidence': state.confidence, 'diagnoses': len(state.diagnoses), "
        "'rollback_requested': state.rollback_requested}",
    )
    return wf


def _continuous_monitoring(scale: float) -> WorkflowBuilder:
    wf = WorkflowBuilder(
        "continuous-monitoring",
        "Continuous monitoring",
        "Long-running: alerts arrive by signal (deduplicated by id); one incident-swarm child "
        "per alert, critical ones first, up to the limit; outcomes recorded; pause, resume "
        "and stop; continues-as-new carrying the queue and the running incidents.",
        input={"services": "list[str]", "max_concurrent": "int"},
        output="dict[str, int]",
        state=[
            {"name": "alerts", "type": "list[Alert]"},
            {"name": "seen", "type": "list[str]"},
            {"name": "duplicates", "type": "int"},
            {"name": "paused", "type": "bool"},
            {"name": "stopping", "type": "bool"},
        ],
    )
    wf.node("start", "start", "Services")
    wf.node(
        "swarms",
        "work_queue",
        "One incident-swarm per alert",
        queue="alerts",
        workflow="incident-swarm",
        key="item.alert_id",
        order_by="0 if item.severity == 'critical' else 1 if item.severity == 'high' else 2",
        id_template="incident-{item.alert_id}",
        args={"alert": "item"},
        concurrency_from="input.max_concurrent",
        paused_when="state.paused",
        drain_when="state.stopping",
        max_attempts=2,
        retry_initial=duration(30, scale),
        retry_maximum=duration(300, scale),
        on_done={
            "activity": "record_incident",
            "args": {
                "alert_id": "item.alert_id",
                "status": "result.status",
                "root_cause": "result.root_cause",
            },
        },
        on_failed={
            "activity": "notify_team",
            "args": {
                "channel": "'pagerduty:on-call'",
                "message": "f'incident swarm for {item.alert_id} failed: {error}'",
                "severity": "'critical'",
            },
        },
    )
    wf.node(
        "stopped",
        "end",
        "Stopped",
        value="{'handled': state.progress.completed, 'failed': state.progress.failed, "
        "'duplicates': state.duplicates}",
    )
    wf.chain("start", "swarms", "stopped")
    wf.node("alert", "signal", "alertFired", name="alertFired", params={"alert": "Alert"})
    wf.node(
        "new_alert",
        "condition",
        "New alert?",
        expression="payload.alert.alert_id not in state.seen",
    )
    wf.node(
        "enqueue",
        "set_state",
        "Queue the alert",
        assignments=[
            {"target": "state.alerts", "value": "state.alerts + [payload.alert]"},
            {"target": "state.seen", "value": "state.seen[-999:] + [payload.alert.alert_id]"},
        ],
    )
    wf.node(
        "duplicate",
        "set_state",
        "Count duplicate",
        assignments=[{"target": "state.duplicates", "value": "state.duplicates + 1"}],
    )
    wf.chain("alert", "new_alert")
    wf.edge("new_alert", "enqueue", "true")
    wf.edge("new_alert", "duplicate", "false")
    for key, name, target, value in (
        ("pause", "pauseMonitoring", "state.paused", "True"),
        ("resume", "resumeMonitoring", "state.paused", "False"),
        ("stop", "stopMonitoring", "state.stopping", "True"),
    ):
        wf.node(key, "signal", name, name=name)
        wf.node(
            f"{key}_apply",
            "set_state",
            f"Apply {name}",
            assignments=[{"target": target, "value": value}],
        )
        wf.chain(key, f"{key}_apply")
    wf.node(
        "stats",
        "query",
        "get_stats",
        name="get_stats",
        returns="dict[str, Any]",
        value="{'queued': len(state.alerts), 'active': sorted(state.progress.running), "
        "'handled': state.progress.completed, 'failed': state.progress.failed, "
        "'duplicates': state.duplicates, 'paused': state.paused}",
    )
    return wf


# migration


def _code_migration() -> WorkflowBuilder:
    wf = WorkflowBuilder(
        "code-migration",
        "Code migration",
        "Analyses the codebase, plans dependency-ordered steps, then migrates: incrementally "
        "(each step validated; a failing step is rolled back and the migration stops) or as "
        "a batch in parallel (any failure rolls every applied step back). Pause and resume "
        "by signal; progress by query.",
        input={
            "migration_type": "str",
            "source_version": "str",
            "target_version": "str",
            "repository": "str",
            "mode": "str",
        },
        output="MigrationResult",
        state=[
            {"name": "status", "type": "str", "default": "analysing"},
            {"name": "paused", "type": "bool"},
            {"name": "branch", "type": "str"},
            {"name": "total_steps", "type": "int"},
            {"name": "current_step", "type": "str"},
            {"name": "applied", "type": "list[str]"},
            {"name": "completed", "type": "list[str]"},
            {"name": "failed_step", "type": "str"},
            {"name": "failure", "type": "str"},
            {"name": "rolled_back", "type": "list[str]"},
            {"name": "pr_number", "type": "int"},
        ],
    )
    wf.node("start", "start", "Migration request")
    wf.node(
        "analyse",
        "agent",
        "Analyze codebase",
        activity="analyze_codebase",
        prompt="Scan {input.repository} for everything a {input.migration_type} from "
        "{input.source_version} to {input.target_version} touches",
        args={"migration_type": "input.migration_type"},
        result="analysis",
    )
    wf.node(
        "plan",
        "agent",
        "Create migration plan",
        activity="create_migration_plan",
        prompt="Plan dependency-ordered steps for {analysis.affected_files} affected files "
        "(patterns {analysis.patterns}, risk {analysis.risk})",
        args={
            "migration_type": "input.migration_type",
            "source_version": "input.source_version",
            "target_version": "input.target_version",
        },
        result="plan",
    )
    wf.node(
        "branch",
        "activity",
        "Create branch",
        activity="create_branch",
        args={
            "repository": "input.repository",
            "name": "'migrate/' + input.migration_type + '-' + input.target_version",
            "base": "'main'",
        },
        result="branch",
    )
    wf.node(
        "planned",
        "set_state",
        "Record plan",
        assignments=[
            {"target": "state.total_steps", "value": "len(plan.steps)"},
            {"target": "state.branch", "value": "branch.name"},
            {"target": "state.status", "value": "'migrating'"},
        ],
    )
    wf.node(
        "mode",
        "switch",
        "Execution mode",
        cases=[{"key": "batch", "expression": "input.mode == 'batch'"}],
    )

    def step_nodes(prefix: str, parent: str) -> tuple[str, str]:
        """generate -> apply (undone by revert) -> validate -> record, inside `parent`."""
        wf.node(
            f"{prefix}_generate",
            "agent",
            "Generate migration step",
            parent=parent,
            activity="generate_migration_step",
            prompt="Migration step {item.order}/{state.total_steps}: {item.title}. Files: "
            "{item.files}. Target {input.target_version}.",
            args={"step_id": "item.step_id"},
            result=f"{prefix}_change",
        )
        wf.node(
            f"{prefix}_apply",
            "activity",
            "Apply step",
            parent=parent,
            activity="apply_migration_step",
            args={
                "branch": "state.branch",
                "step_id": "item.step_id",
                "files": f"{prefix}_change.files",
            },
            result=f"{prefix}_applied",
            compensation={
                "activity": "revert_migration_step",
                "args": {
                    "branch": "state.branch",
                    "step_id": "item.step_id",
                    "commit_sha": f"{prefix}_applied.commit_sha",
                },
            },
        )
        wf.node(
            f"{prefix}_mark_applied",
            "set_state",
            "Mark applied",
            parent=parent,
            assignments=[{"target": "state.applied", "value": "state.applied + [item.step_id]"}],
        )
        wf.node(
            f"{prefix}_validate",
            "activity",
            "Validate step",
            parent=parent,
            activity="validate_migration_step",
            args={"step_id": "item.step_id", "target_version": "input.target_version"},
        )
        wf.node(
            f"{prefix}_done",
            "set_state",
            "Step done",
            parent=parent,
            assignments=[
                {"target": "state.completed", "value": "state.completed + [item.step_id]"}
            ],
        )
        wf.chain(
            f"{prefix}_generate",
            f"{prefix}_apply",
            f"{prefix}_mark_applied",
            f"{prefix}_validate",
            f"{prefix}_done",
        )
        return f"{prefix}_generate", f"{prefix}_done"

    # incremental
    wf.node(
        "steps",
        "loop",
        "Incremental steps, one at a time",
        mode="for_each",
        items="plan.steps",
    )
    wf.node(
        "on_track",
        "condition",
        "No step failed yet?",
        parent="steps",
        expression="state.failed_step == ''",
    )
    wf.node(
        "resume_gate",
        "wait",
        "Paused? wait for resume",
        parent="steps",
        gate="migration paused (send resume_migration)",
        approved_when="not state.paused",
    )
    wf.node(
        "current",
        "set_state",
        "Current step",
        parent="steps",
        assignments=[{"target": "state.current_step", "value": "item.step_id"}],
    )
    wf.node("step", "try", "Step (rolled back on failure)", parent="steps")
    step_nodes("step", "step")
    wf.node(
        "step_failed",
        "set_state",
        "Stop: step rolled back",
        parent="steps",
        assignments=[
            {"target": "state.failed_step", "value": "item.step_id"},
            {"target": "state.failure", "value": "error"},
            {
                "target": "state.rolled_back",
                "value": "state.rolled_back + ([item.step_id] if item.step_id in state.applied "
                "else [])",
            },
            {"target": "state.status", "value": "'rolled_back'"},
        ],
    )
    wf.edge("on_track", "resume_gate", "true")
    wf.edge("resume_gate", "current", "approved")
    wf.chain("current", "step")
    wf.edge("step", "step_failed", "error")
    # batch
    wf.node("batch", "try", "Batch: every step at once (all undone on failure)")
    wf.node(
        "batch_resume_gate",
        "wait",
        "Paused? wait for resume",
        parent="batch",
        gate="migration paused (send resume_migration)",
        approved_when="not state.paused",
    )
    wf.node(
        "batch_steps",
        "loop",
        "All steps in parallel (max 4)",
        parent="batch",
        mode="for_each",
        items="plan.steps",
        concurrency=4,
    )
    wf.edge("batch_resume_gate", "batch_steps", "approved")
    step_nodes("batch_step", "batch_steps")
    wf.node(
        "batch_failed",
        "set_state",
        "Batch rolled back",
        assignments=[
            {"target": "state.failed_step", "value": "'batch'"},
            {"target": "state.failure", "value": "error"},
            {"target": "state.rolled_back", "value": "state.applied"},
            {"target": "state.completed", "value": "[]"},
            {"target": "state.status", "value": "'rolled_back'"},
        ],
    )
    wf.edge("batch", "batch_failed", "error")
    wf.node("succeeded", "condition", "Every step migrated?", expression="state.failed_step == ''")
    wf.node(
        "open_pr",
        "activity",
        "Create pull request",
        activity="create_pull_request",
        args={
            "repository": "input.repository",
            "branch": "state.branch",
            "title": "plan.title",
            "body": "f'{analysis.affected_files} files, steps {state.completed}'",
        },
        result="pr",
    )
    wf.node(
        "migrated",
        "set_state",
        "Migrated",
        assignments=[
            {"target": "state.pr_number", "value": "pr.number"},
            {"target": "state.status", "value": "'completed'"},
        ],
    )
    wf.node(
        "report_failure",
        "activity",
        "Notify team",
        activity="notify_team",
        args={
            "channel": "'#migrations'",
            "message": "f'{plan.title}: {state.failed_step} failed ({state.failure}); rolled back "
            "{state.rolled_back}'",
            "severity": "'warning'",
        },
    )
    wf.node(
        "result",
        "end",
        "Migration result",
        value="MigrationResult(status=state.status, mode=input.mode, "
        "total_steps=state.total_steps, completed_steps=state.completed, "
        "failed_step=state.failed_step, failure=state.failure, "
        "rolled_back_steps=state.rolled_back, pr_number=state.pr_number)",
    )
    wf.chain("start", "analyse", "plan", "branch", "planned", "mode")
    wf.edge("mode", "batch", "case:batch")
    wf.edge("mode", "steps", "default")
    wf.chain("steps", "succeeded")
    wf.chain("batch", "succeeded")
    wf.chain("batch_failed", "succeeded")
    wf.edge("succeeded", "open_pr", "true")
    wf.chain("open_pr", "migrated", "result")
    wf.edge("succeeded", "report_failure", "false")
    wf.chain("report_failure", "result")
    wf.node("pause", "signal", "pause_migration", name="pause_migration")
    wf.node(
        "pause_apply",
        "set_state",
        "Pause",
        assignments=[{"target": "state.paused", "value": "True"}],
    )
    wf.chain("pause", "pause_apply")
    wf.node("resume", "signal", "resume_migration", name="resume_migration")
    wf.node(
        "resume_apply",
        "set_state",
        "Resume",
        assignments=[{"target": "state.paused", "value": "False"}],
    )
    wf.chain("resume", "resume_apply")
    wf.node(
        "progress",
        "query",
        "get_progress",
        name="get_progress",
        returns="dict[str, Any]",
        value="{'status': state.status, 'mode': input.mode, 'paused': state.paused, "
        "'current_step': state.current_step, 'completed': state.completed, "
        "'total_steps': state.total_steps, "
        "'percent': round(100 * len(state.completed) / max(1, state.total_steps)), "
        "'failed_step': state.failed_step, 'rolled_back': state.rolled_back}",
    )
    return wf


def build(project_id: str = PROJECT_ID, *, time_scale: float = 1.0) -> dict[str, Any]:
    """The Autonomous Development project.

    `time_scale` multiplies every duration of the graph (backoff, retry intervals, re-queue
    delays); 1.0 keeps the real ones.
    """
    return project(
        project_id,
        "Autonomous Development",
        "Agents design, patch and review code, swarm on incidents and migrate codebases: "
        "parallel agents, consensus with a confidence threshold, sagas, quality gates with a "
        "weighted score, incremental or batch migrations with rollback.",
        task_queue=project_id,
        types=_types(),
        activities=_activities(time_scale),
        workflows=[
            _plan_patch_pr(),
            _incremental_patch(time_scale),
            _incident_swarm(),
            _continuous_monitoring(time_scale),
            _code_migration(),
            _quality_gate(),
            _continuous_quality(time_scale),
        ],
    )
