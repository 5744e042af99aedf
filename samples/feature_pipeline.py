"""Feature Development Pipeline: a feature from requirement intake to production, with rollback.

Recreates the Temporal-based development workflow proposal: a long-running orchestrator runs seven
phases, each a child workflow. Human approval gates live in the children (requirement approval,
task review, production approval), each with the timeout and the timeout behaviour the proposal
names; the children report their gates to the orchestrator, which lists them in
`getApprovalGates`. Where the proposal's sketches would misbehave on Temporal, the graph does it
the durable way: signal handlers only change state and never throw (an invalid priority is
recorded and ignored), queries return plain data, and the orchestrator's emergency stop reaches
the production deployment from the main flow, never from a handler.

`build(time_scale=...)` multiplies every duration (gate timeouts, monitoring intervals, backoff),
so tests run the real graph in seconds; the seeded project keeps the real 24 h, 48 h and 72 h.
"""

from __future__ import annotations

from typing import Any

from samples.builder import WorkflowBuilder, project, simulated

PROJECT_ID = "feature-pipeline"
ORCHESTRATOR = "feature-development-orchestrator"
TEST_TYPES = ["unit", "integration", "e2e", "api", "ui", "accessibility", "performance", "security"]
PHASES = [
    "intake",
    "planning",
    "development",
    "testing",
    "staging",
    "production-readiness",
    "production",
]
BAD_COMMIT = "badc0de"
"""The simulated health endpoint of a deployment of this commit answers 503 (a broken build)."""


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


# types


def _types() -> dict[str, Any]:
    def t(description: str, **fields: str) -> dict[str, Any]:
        return {"description": description, "fields": fields}

    return {
        "DevTask": t(
            "A development task from the BrainGrid breakdown.",
            task_id="str",
            title="str",
            task_type="str",
            agent_type="str",
            alternative_agent="str",
            dependencies="list[str]",
            estimate_hours="float",
        ),
        "CompletenessReport": t(
            "Non-agentic completeness check of a feature request.",
            complete="bool",
            score="float",
            missing="list[str]",
        ),
        "FeasibilityReport": t(
            "An agent's view of technical feasibility.",
            feasible="bool",
            confidence="float",
            risks="list[str]",
            notes="str",
        ),
        "AmbiguityReport": t(
            "Unclear points an agent found in the request.",
            ambiguities="list[str]",
            questions="list[str]",
        ),
        "Clarification": t(
            "An agent's answers to the reviewer's questions.",
            answers="list[str]",
            updated_request="str",
        ),
        "Requirement": t(
            "A BrainGrid requirement (REQ).",
            requirement_id="str",
            title="str",
            status="str",
            url="str",
        ),
        "IntakeResult": t(
            "Output of requirement intake.",
            approved="bool",
            decision="str",
            decided_by="str",
            requirement_id="str",
            tasks="list[DevTask]",
            feasibility="float",
            questions="list[str]",
        ),
        "TaskReview": t(
            "An agent's review of the task breakdown.",
            score="float",
            concerns="list[str]",
            recommendation="str",
        ),
        "DependencyReport": t(
            "Non-agentic validation of task dependencies.",
            valid="bool",
            order="list[str]",
            cycles="list[str]",
            missing="list[str]",
        ),
        "EffortEstimate": t(
            "An agent's effort estimate.",
            total_hours="float",
            per_task="dict[str, float]",
            confidence="float",
        ),
        "MissingTasks": t("Gaps an agent found in the breakdown.", tasks="list[DevTask]"),
        "PlanningResult": t(
            "Output of task planning.",
            approved="bool",
            decision="str",
            decided_by="str",
            tasks="list[DevTask]",
            estimated_hours="float",
            warnings="list[str]",
        ),
        "Branch": t("A git branch.", name="str", base="str", head_sha="str"),
        "TaskContext": t(
            "Files and criteria an agent needs for a task.",
            related_files="list[str]",
            acceptance_criteria="list[str]",
        ),
        "CodeChanges": t(
            "What an agent changed.",
            files="list[str]",
            lines_added="int",
            lines_removed="int",
            summary="str",
        ),
        "ValidationReport": t(
            "Non-agentic validation of code changes.",
            passed="bool",
            errors="list[str]",
            warnings="list[str]",
        ),
        "TestReport": t(
            "One test suite's report.",
            suite="str",
            passed="int",
            failed="int",
            skipped="int",
            coverage="float",
            duration_seconds="float",
            critical_findings="int",
        ),
        "Commit": t("A git commit.", sha="str", message="str", branch="str"),
        "TaskResult": t(
            "Output of one task's execution.",
            task_id="str",
            success="bool",
            agent="str",
            attempts="int",
            commit_sha="str",
            files_changed="int",
        ),
        "ChangeSummary": t(
            "All changes on the feature branch.",
            commits="int",
            files_changed="list[str]",
            head_sha="str",
        ),
        "ChangeSet": t(
            "A diff loaded for review.", files="list[str]", lines_added="int", lines_removed="int"
        ),
        "QualityReview": t(
            "An agent's code-quality review.", score="float", findings="int", summary="str"
        ),
        "SecurityScan": t(
            "SAST findings by severity.", critical="int", high="int", medium="int", low="int"
        ),
        "CoverageReport": t(
            "Test coverage of the changed code.", percent="float", uncovered_files="list[str]"
        ),
        "TypeCheckReport": t("TypeScript strict-mode check.", errors="int", strict="bool"),
        "AccessibilityReport": t("WCAG scan.", violations="int", level="str"),
        "ReviewReport": t("A rendered review report.", report_url="str"),
        "GateResult": t(
            "One quality gate's verdict.",
            name="str",
            passed="bool",
            value="float",
            threshold="float",
            critical="bool",
            detail="str",
        ),
        "ReviewResult": t(
            "Output of code review.",
            approved="bool",
            requires_human_review="bool",
            gates="list[GateResult]",
            findings="int",
            reviewed_by="str",
        ),
        "DevelopmentResult": t(
            "Output of development.",
            branch="str",
            commit_sha="str",
            completed="list[str]",
            failed="list[str]",
            skipped="list[str]",
            all_tasks_complete="bool",
            review_approved="bool",
        ),
        "RegressionReport": t(
            "An agent's comparison with the baseline.", regressions="list[str]", baseline="str"
        ),
        "TestAnalysis": t(
            "An agent's analysis of all results.", summary="str", flaky="list[str]", risk="str"
        ),
        "EvidencePackage": t("Collected evidence.", evidence_id="str", url="str"),
        "TestingResult": t(
            "Output of testing.",
            all_passed="bool",
            suites="list[TestReport]",
            total_passed="int",
            total_failed="int",
            coverage="float",
            critical_findings="int",
            regressions="list[str]",
            evidence_url="str",
        ),
        "Backup": t("A database backup.", backup_id="str", environment="str", size_mb="float"),
        "BackupCheck": t("Backup integrity verification.", verified="bool", checksum="str"),
        "MigrationRun": t("Applied migrations.", applied="list[str]", environment="str"),
        "Deployment": t(
            "A deployment.", deployment_id="str", environment="str", url="str", commit_sha="str"
        ),
        "DeploymentCheck": t("Whether a deployment serves traffic.", ready="bool", url="str"),
        "HealthCheck": t(
            "One health probe.",
            healthy="bool",
            status_code="int",
            error_rate="float",
            p95_latency_ms="float",
        ),
        "UatReport": t(
            "User acceptance tests of the critical journeys.",
            passed="bool",
            journeys="int",
            failed_journeys="list[str]",
        ),
        "EnvironmentValidation": t(
            "An agent's verdict on the collected evidence.",
            valid="bool",
            confidence="float",
            notes="str",
        ),
        "DeploymentResult": t(
            "Output of a deployment.",
            deployed="bool",
            deployment_id="str",
            health_validated="bool",
            uat_passed="bool",
            rollback_triggered="bool",
            rollback_reason="str",
            checks="int",
            failed_checks="int",
        ),
        "GateReview": t(
            "An agent's validation of the production gates.",
            p0_p1_bugs="int",
            performance_ok="bool",
            migrations_tested="bool",
            notes="str",
        ),
        "ReadinessReport": t("A rendered readiness report.", report_url="str"),
        "ReadinessResult": t(
            "Output of production readiness.",
            approved="bool",
            decision="str",
            decided_by="str",
            readiness_score="float",
            gates="list[GateResult]",
            rejection_reason="str",
        ),
        "ApprovalGate": t(
            "A human approval gate of the pipeline, as the orchestrator reports it.",
            name="str",
            phase="str",
            workflow_id="str",
            status="str",
            signals="list[str]",
            updated_at="str",
            timeout="str",
            decided_by="str",
        ),
        "TimelineEntry": t(
            "One step of the feature's timeline.", at="str", phase="str", event="str"
        ),
        "FeatureOutcome": t(
            "Where the feature ended up.",
            status="str",
            requirement_id="str",
            branch="str",
            commit_sha="str",
            staging_deployment_id="str",
            production_deployment_id="str",
            readiness_score="float",
            completed_phases="list[str]",
            rollback_triggered="bool",
        ),
    }


# activities


TASKS = [
    {
        "task_id": "T1",
        "title": "Add saved_searches table and migration",
        "task_type": "database",
        "agent_type": "backend-architect",
        "alternative_agent": "database-specialist",
        "dependencies": [],
        "estimate_hours": 3.0,
    },
    {
        "task_id": "T2",
        "title": "Saved-search CRUD API endpoints",
        "task_type": "api",
        "agent_type": "backend-architect",
        "alternative_agent": "api-developer",
        "dependencies": ["T1"],
        "estimate_hours": 5.0,
    },
    {
        "task_id": "T3",
        "title": "Saved-search panel in the search page",
        "task_type": "frontend",
        "agent_type": "frontend-developer",
        "alternative_agent": "ui-specialist",
        "dependencies": ["T2"],
        "estimate_hours": 6.0,
    },
    {
        "task_id": "T4",
        "title": "Document saved searches",
        "task_type": "documentation",
        "agent_type": "technical-writer",
        "alternative_agent": "developer-advocate",
        "dependencies": [],
        "estimate_hours": 1.5,
    },
    {
        "task_id": "T5",
        "title": "End-to-end tests for saved searches",
        "task_type": "testing",
        "agent_type": "playwright-auditor",
        "alternative_agent": "ui-tester",
        "dependencies": ["T2", "T3"],
        "estimate_hours": 4.0,
    },
    {
        "task_id": "T6",
        "title": "Emit analytics events for saved searches",
        "task_type": "backend",
        "agent_type": "backend-architect",
        "alternative_agent": "analytics-engineer",
        "dependencies": [],
        "estimate_hours": 1.0,
    },
    {
        "task_id": "T7",
        "title": "Feature flag for saved searches",
        "task_type": "backend",
        "agent_type": "devops-automator",
        "alternative_agent": "backend-architect",
        "dependencies": [],
        "estimate_hours": 1.0,
    },
    {
        "task_id": "T8",
        "title": "Translate saved-search strings",
        "task_type": "frontend",
        "agent_type": "frontend-developer",
        "alternative_agent": "localization-specialist",
        "dependencies": [],
        "estimate_hours": 0.5,
    },
]


def _activities(scale: float) -> list[dict[str, Any]]:
    def retry(attempts: int = 3, initial: float = 5) -> dict[str, Any]:
        return {
            "initial_interval": duration(initial, scale),
            "maximum_interval": duration(initial * 12, scale),
            "maximum_attempts": attempts,
        }

    gate = {
        "name": "{name}",
        "passed": True,
        "value": 1.0,
        "threshold": 1.0,
        "critical": False,
        "detail": "{detail}",
    }
    deployment = {
        "deployment_id": "{environment}-{commit_sha}",
        "environment": "{environment}",
        "url": "https://{environment}.app.example.com",
        "commit_sha": "{commit_sha}",
    }
    return [
        # intake
        simulated(
            "validate_requirement_completeness",
            "Non-agentic check that the request names a goal, users and acceptance criteria.",
            input={"feature_request": "str"},
            output="CompletenessReport",
            result={"complete": True, "score": 0.9, "missing": ["performance budget"]},
            delay_seconds=0.05,
        ),
        simulated(
            "check_feasibility",
            "Agent: checks the request against the architecture and the codebase.",
            input={"prompt": "str"},
            output="FeasibilityReport",
            result={
                "feasible": True,
                "confidence": 0.86,
                "risks": ["search index size grows per user"],
                "notes": "fits the existing search service",
            },
            delay_seconds=0.1,
            timeout="10m",
            heartbeat="1m",
        ),
        simulated(
            "identify_ambiguities",
            "Agent: lists unclear points and the questions that would settle them.",
            input={"prompt": "str"},
            output="AmbiguityReport",
            result={
                "ambiguities": ["sharing saved searches between users"],
                "questions": ["May users share a saved search with their team?"],
            },
            delay_seconds=0.1,
            timeout="10m",
            heartbeat="1m",
        ),
        simulated(
            "answer_clarifications",
            "Agent: answers the reviewer's questions and restates the request.",
            input={"prompt": "str"},
            output="Clarification",
            result={
                "answers": ["Sharing is out of scope for the first release."],
                "updated_request": "Saved searches, private to each user.",
            },
            delay_seconds=0.05,
            timeout="10m",
            heartbeat="1m",
        ),
        simulated(
            "escalate_approval",
            "Notifies the next person up when a human gate gets no answer in time.",
            input={"gate": "str", "escalate_to": "str", "waited": "str"},
            result=None,
        ),
        simulated(
            "create_braingrid_requirement",
            "BrainGrid CLI wrapper: creates the requirement (REQ). The API answers 503 once.",
            input={"project_id": "str", "title": "str", "description": "str"},
            output="Requirement",
            result={
                "requirement_id": "REQ-142",
                "title": "{title}",
                "status": "planned",
                "url": "https://braingrid.example.com/{project_id}/REQ-142",
            },
            fail_attempts=1,
            fail_message="BrainGrid answered 503 Service Unavailable",
            retry=retry(),
        ),
        simulated(
            "trigger_task_breakdown",
            "BrainGrid CLI wrapper: asks BrainGrid's AI to break the requirement into tasks.",
            input={"requirement_id": "str"},
            result=None,
            delay_seconds=0.05,
        ),
        simulated(
            "retrieve_tasks",
            "BrainGrid CLI wrapper: the task list of a requirement.",
            input={"requirement_id": "str"},
            output="list[DevTask]",
            result=TASKS,
        ),
        # planning
        simulated(
            "review_task_breakdown",
            "Agent: reviews the logic and order of the tasks.",
            input={"prompt": "str"},
            output="TaskReview",
            result={
                "score": 0.88,
                "concerns": ["T5 should also cover the empty state"],
                "recommendation": "approve",
            },
            delay_seconds=0.1,
            timeout="10m",
            heartbeat="1m",
        ),
        simulated(
            "validate_dependencies",
            "Non-agentic: every dependency exists and there is no cycle.",
            input={"task_ids": "list[str]", "dependencies": "dict[str, list[str]]"},
            output="DependencyReport",
            result={
                "valid": True,
                "order": ["T1", "T4", "T6", "T7", "T8", "T2", "T3", "T5"],
                "cycles": [],
                "missing": [],
            },
        ),
        simulated(
            "estimate_effort",
            "Agent: estimates time and complexity per task.",
            input={"prompt": "str"},
            output="EffortEstimate",
            result={
                "total_hours": 22.0,
                "per_task": {
                    "T1": 3.0,
                    "T2": 5.0,
                    "T3": 6.0,
                    "T4": 1.5,
                    "T5": 4.0,
                    "T6": 1.0,
                    "T7": 1.0,
                    "T8": 0.5,
                },
                "confidence": 0.7,
            },
            delay_seconds=0.1,
            timeout="10m",
            heartbeat="1m",
        ),
        simulated(
            "identify_missing_tasks",
            "Agent: finds gaps in the task breakdown.",
            input={"prompt": "str"},
            output="MissingTasks",
            result={
                "tasks": [
                    {
                        "task_id": "T9",
                        "title": "Rate-limit saved-search creation",
                        "task_type": "backend",
                        "agent_type": "backend-architect",
                        "alternative_agent": "api-developer",
                        "dependencies": [],
                        "estimate_hours": 1.0,
                    }
                ]
            },
            delay_seconds=0.1,
            timeout="10m",
            heartbeat="1m",
        ),
        simulated(
            "update_braingrid_tasks",
            "BrainGrid CLI wrapper: revises tasks after a reviewer's notes.",
            input={"requirement_id": "str", "notes": "list[str]"},
            result=None,
        ),
        # development
        simulated(
            "create_feature_branch",
            "Git: creates feature/REQ-<id>-<slug> from the base branch.",
            input={"requirement_id": "str", "feature_slug": "str", "base_branch": "str"},
            output="Branch",
            result={
                "name": "feature/{requirement_id}-{feature_slug}",
                "base": "{base_branch}",
                "head_sha": "4f1e2d9",
            },
        ),
        simulated(
            "aggregate_code_changes",
            "Git: collects every commit of the feature branch.",
            input={"branch": "str", "task_ids": "list[str]"},
            output="ChangeSummary",
            result={
                "commits": 8,
                "files_changed": [
                    "db/migrations/0042_saved_searches.sql",
                    "api/saved_searches.py",
                    "web/src/search/SavedSearches.tsx",
                    "docs/saved-searches.md",
                    "e2e/saved-searches.spec.ts",
                ],
                "head_sha": "a1b2c3d",
            },
        ),
        simulated(
            "load_task_context",
            "Loads related files and acceptance criteria of a task.",
            input={"task_id": "str", "title": "str"},
            output="TaskContext",
            result={
                "related_files": ["api/search.py", "web/src/search/SearchPage.tsx"],
                "acceptance_criteria": ["{title} works for a signed-in user", "covered by tests"],
            },
        ),
        simulated(
            "execute_agent_task",
            "Agent: implements a task on the feature branch.",
            input={"prompt": "str", "task_id": "str", "agent_type": "str"},
            output="CodeChanges",
            result={
                "files": ["src/{task_id}.py", "tests/test_{task_id}.py"],
                "lines_added": 184,
                "lines_removed": 12,
                "summary": "{agent_type} implemented {task_id}",
            },
            delay_seconds=0.05,
            timeout="4h",
            heartbeat="1m",
            retry=retry(),
        ),
        simulated(
            "validate_code_changes",
            "Non-agentic: lint, format and build the changed files.",
            input={"task_id": "str", "files": "list[str]"},
            output="ValidationReport",
            result={"passed": True, "errors": [], "warnings": ["unused import in {task_id}"]},
            retry=retry(),
        ),
        simulated(
            "run_task_unit_tests",
            "Runs the unit tests of the changed code. Simulated: database tasks written by the "
            "primary (generalist) agent fail their migration tests; the specialist passes.",
            input={"task_id": "str", "task_type": "str", "implemented_by": "str"},
            output="TestReport",
            result={
                "suite": "unit:{task_id}",
                "passed": 36,
                "failed": 0,
                "skipped": 1,
                "coverage": 91.5,
                "duration_seconds": 14.2,
                "critical_findings": 0,
            },
            fail_when={"task_type": "database", "implemented_by": "primary"},
            fail_when_retryable=True,
            fail_message="migration tests failed for {task_id}: schema drift in saved_searches",
        ),
        simulated(
            "commit_changes",
            "Git: a conventional commit on the feature branch.",
            input={"branch": "str", "task_id": "str", "message": "str", "files": "list[str]"},
            output="Commit",
            result={"sha": "c0ffee-{task_id}", "message": "{message}", "branch": "{branch}"},
        ),
        simulated(
            "update_task_status",
            "BrainGrid CLI wrapper: syncs a task's status.",
            input={"task_id": "str", "status": "str", "detail": "str"},
            result=None,
        ),
        # code review
        simulated(
            "load_code_changes",
            "Git: the diff of the branch against its base.",
            input={"branch": "str", "commit_sha": "str"},
            output="ChangeSet",
            result={
                "files": ["api/saved_searches.py", "web/src/search/SavedSearches.tsx"],
                "lines_added": 912,
                "lines_removed": 64,
            },
        ),
        simulated(
            "review_code_quality",
            "Agent: reviews code patterns and conventions.",
            input={"prompt": "str"},
            output="QualityReview",
            result={"score": 88.0, "findings": 4, "summary": "clean; 4 minor naming findings"},
            delay_seconds=0.1,
            timeout="10m",
            heartbeat="1m",
        ),
        simulated(
            "scan_security",
            "SAST scan of the branch.",
            input={"branch": "str"},
            output="SecurityScan",
            result={"critical": 0, "high": 0, "medium": 1, "low": 3},
            delay_seconds=0.05,
        ),
        simulated(
            "check_test_coverage",
            "Coverage of the changed code.",
            input={"branch": "str", "files": "list[str]"},
            output="CoverageReport",
            result={"percent": 86.5, "uncovered_files": []},
        ),
        simulated(
            "validate_typescript",
            "TypeScript strict-mode compile.",
            input={"branch": "str"},
            output="TypeCheckReport",
            result={"errors": 0, "strict": True},
        ),
        simulated(
            "check_accessibility",
            "Axe scan of the changed pages (WCAG 2.1 AA).",
            input={"branch": "str"},
            output="AccessibilityReport",
            result={"violations": 0, "level": "WCAG 2.1 AA"},
        ),
        simulated(
            "generate_review_report",
            "Renders the review report.",
            input={"branch": "str", "gates_passed": "int", "gates_total": "int"},
            output="ReviewReport",
            result={"report_url": "https://ci.example.com/reviews/{branch}"},
        ),
        # testing
        simulated(
            "run_test_suite",
            "Runs one test type (Vitest, Playwright, k6, ZAP...) against the branch.",
            input={"branch": "str", "test_type": "str"},
            output="TestReport",
            result={
                "suite": "{test_type}",
                "passed": 248,
                "failed": 0,
                "skipped": 3,
                "coverage": 96.4,
                "duration_seconds": 42.0,
                "critical_findings": 0,
            },
            delay_seconds=0.1,
            timeout="2h",
            heartbeat="1m",
        ),
        simulated(
            "detect_regressions",
            "Agent: compares the results with the main branch's baseline.",
            input={"prompt": "str"},
            output="RegressionReport",
            result={"regressions": [], "baseline": "main@9d8c7b6"},
            delay_seconds=0.05,
            timeout="10m",
            heartbeat="1m",
        ),
        simulated(
            "analyze_test_results",
            "Agent: analyses all results for flakiness and risk.",
            input={"prompt": "str"},
            output="TestAnalysis",
            result={"summary": "all suites green", "flaky": [], "risk": "low"},
            delay_seconds=0.05,
            timeout="10m",
            heartbeat="1m",
        ),
        simulated(
            "collect_evidence",
            "Stores the test evidence package.",
            input={"branch": "str", "commit_sha": "str", "suites": "list[str]"},
            output="EvidencePackage",
            result={
                "evidence_id": "EV-{commit_sha}",
                "url": "https://evidence.example.com/{commit_sha}",
            },
        ),
        # deployments
        simulated(
            "create_backup",
            "pg_dump of the environment's database.",
            input={"environment": "str", "commit_sha": "str"},
            output="Backup",
            result={
                "backup_id": "bk-{environment}-{commit_sha}",
                "environment": "{environment}",
                "size_mb": 812.4,
            },
            delay_seconds=0.05,
            timeout="30m",
            heartbeat="1m",
        ),
        simulated(
            "verify_backup",
            "Restores the backup into a scratch database and compares checksums.",
            input={"backup_id": "str"},
            output="BackupCheck",
            result={"verified": True, "checksum": "sha256:5e1f"},
        ),
        simulated(
            "run_migrations",
            "Applies pending database migrations.",
            input={"environment": "str", "branch": "str"},
            output="MigrationRun",
            result={"applied": ["0042_saved_searches"], "environment": "{environment}"},
            retry=retry(),
        ),
        simulated(
            "rollback_migrations",
            "Runs the down migrations, restoring from the backup if needed.",
            input={"environment": "str", "backup_id": "str"},
            result=None,
        ),
        simulated(
            "deploy",
            "Vercel deployment of a commit.",
            input={"environment": "str", "branch": "str", "commit_sha": "str"},
            output="Deployment",
            result=deployment,
            delay_seconds=0.05,
            retry=retry(),
            timeout="20m",
            heartbeat="1m",
        ),
        simulated(
            "verify_deployment",
            "Waits until the deployment serves traffic.",
            input={"deployment_id": "str"},
            output="DeploymentCheck",
            result={"ready": True, "url": "https://{deployment_id}.app.example.com"},
            retry=retry(),
        ),
        simulated(
            "rollback_deployment",
            "Vercel: promotes the previous deployment again.",
            input={"environment": "str", "deployment_id": "str"},
            result=None,
        ),
        simulated(
            "monitor_health",
            "One health probe: status, error rate, p95 latency. Simulated: a deployment of "
            f"commit {BAD_COMMIT} answers 503.",
            input={"environment": "str", "commit_sha": "str", "check": "int"},
            output="HealthCheck",
            result={
                "healthy": True,
                "status_code": 200,
                "error_rate": 0.004,
                "p95_latency_ms": 182.0,
            },
            fail_when={"commit_sha": BAD_COMMIT},
            fail_message="health check {check} on {environment}: 503 Service Unavailable",
            retry={"maximum_attempts": 1},
            timeout="30s",
        ),
        simulated(
            "run_uat",
            "User acceptance tests of the critical journeys.",
            input={"environment": "str", "deployment_id": "str"},
            output="UatReport",
            result={"passed": True, "journeys": 12, "failed_journeys": []},
            delay_seconds=0.05,
            timeout="30m",
            heartbeat="1m",
        ),
        simulated(
            "validate_environment",
            "Agent: validates the deployment evidence.",
            input={"prompt": "str"},
            output="EnvironmentValidation",
            result={"valid": True, "confidence": 0.93, "notes": "error rate and latency nominal"},
            delay_seconds=0.05,
            timeout="10m",
            heartbeat="1m",
        ),
        simulated(
            "get_deployed_sha",
            "Vercel: the commit an environment runs now (what a rollback returns to).",
            input={"environment": "str"},
            output="str",
            result="9d8c7b6",
        ),
        simulated(
            "rollback_code_to_commit",
            "Git: reverts the release to the previous SHA with an explanatory commit.",
            input={"branch": "str", "previous_sha": "str"},
            result=None,
        ),
        simulated(
            "redeploy_previous_version",
            "Vercel: re-deploys the previous version.",
            input={"environment": "str", "commit_sha": "str"},
            output="Deployment",
            result=deployment,
        ),
        simulated(
            "verify_rollback",
            "Verifies the previous version is live and healthy.",
            input={"deployment_id": "str"},
            output="DeploymentCheck",
            result={"ready": True, "url": "https://{deployment_id}.app.example.com"},
        ),
        simulated(
            "document_rollback",
            "Records why the release was rolled back.",
            input={"environment": "str", "reason": "str"},
            result=None,
        ),
        simulated(
            "setup_monitoring",
            "Makes sure the dashboards and alerts of the release are active.",
            input={"deployment_id": "str"},
            result=None,
        ),
        # production readiness
        simulated(
            "validate_all_gates",
            "Agent: validates the production gates against all evidence.",
            input={"prompt": "str"},
            output="GateReview",
            result={
                "p0_p1_bugs": 0,
                "performance_ok": True,
                "migrations_tested": True,
                "notes": "all evidence present",
            },
            delay_seconds=0.1,
            timeout="10m",
            heartbeat="1m",
        ),
        simulated(
            "check_documentation",
            "Checks that the docs were updated.",
            input={"requirement_id": "str", "name": "str", "detail": "str"},
            output="GateResult",
            result=gate,
        ),
        simulated(
            "check_monitoring",
            "Checks that monitoring and alerts are configured.",
            input={"requirement_id": "str", "name": "str", "detail": "str"},
            output="GateResult",
            result=gate,
        ),
        simulated(
            "collect_all_evidence",
            "Aggregates the evidence of every phase.",
            input={"requirement_id": "str", "round": "int"},
            output="EvidencePackage",
            result={
                "evidence_id": "EV-{requirement_id}-{round}",
                "url": "https://evidence.example.com/{requirement_id}",
            },
        ),
        simulated(
            "generate_readiness_report",
            "Renders the readiness report with every gate's evidence.",
            input={"requirement_id": "str", "score": "float"},
            output="ReadinessReport",
            result={"report_url": "https://evidence.example.com/{requirement_id}/readiness"},
        ),
        # orchestrator
        simulated(
            "log_phase_transition",
            "Logs a phase change.",
            input={"requirement_id": "str", "phase": "str"},
            result=None,
        ),
        simulated(
            "notify_stakeholders",
            "Slack and email notification.",
            input={"event": "str", "message": "str"},
            result=None,
        ),
    ]


# shared graph pieces

INTAKE_OPEN = "state.decision in ('', 'clarification')"
PLANNING_OPEN = "state.decision in ('', 'revise')"
READINESS_OPEN = "state.decision in ('', 'more_evidence')"


def _gate(
    name: str, phase: str, signals: list[str], timeout: str, status: str, decided_by: str
) -> str:
    """An ApprovalGate expression describing this workflow's gate."""
    return (
        f"ApprovalGate(name={name!r}, phase={phase!r}, workflow_id=workflow_id, status={status}, "
        f"signals={signals!r}, updated_at=str(now), timeout={timeout!r}, decided_by={decided_by})"
    )


def _report_gate(wf: WorkflowBuilder, node_id: str, label: str, gate: str) -> tuple[str, str]:
    """`if input.orchestrator_id: signal it approvalGateChanged(gate)`; returns (first, last)."""
    wf.node(
        f"{node_id}_to_orchestrator",
        "condition",
        "Run by an orchestrator?",
        expression="input.orchestrator_id != ''",
    )
    wf.node(
        node_id,
        "signal_external",
        label,
        workflow_id="{input.orchestrator_id}",
        signal="approvalGateChanged",
        workflow=ORCHESTRATOR,
        args={"gate": gate},
    )
    wf.edge(f"{node_id}_to_orchestrator", node_id, "true")
    return f"{node_id}_to_orchestrator", node_id


def _decision_signal(
    wf: WorkflowBuilder,
    node_id: str,
    label: str,
    name: str,
    params: dict[str, str],
    assignments: list[tuple[str, str]],
    undecided: str,
) -> None:
    """A human decision signal: recorded only while the decision is still open."""
    wf.node(node_id, "signal", label, name=name, params=params)
    wf.node(f"{node_id}_open", "condition", "Decision still open?", expression=undecided)
    wf.node(
        f"{node_id}_record",
        "set_state",
        f"Record {label.lower()}",
        assignments=[{"target": t, "value": v} for t, v in assignments],
    )
    wf.edge(node_id, f"{node_id}_open")
    wf.edge(f"{node_id}_open", f"{node_id}_record", "true")


# requirement intake


def _requirement_intake(scale: float) -> WorkflowBuilder:
    wf = WorkflowBuilder(
        "requirement-intake",
        "Requirement intake",
        "Validates and structures a feature request, asks agents about feasibility and "
        "ambiguities, waits for a human to approve, ask for clarification or reject (24 h, then "
        "escalate to the project manager; no answer after 48 h rejects), then creates the "
        "BrainGrid requirement and its tasks.",
        input={
            "feature_request": "str",
            "requester_id": "str",
            "project_id": "str",
            "auto_approve": "bool",
            "orchestrator_id": "str",
        },
        output="IntakeResult",
        state=[
            {"name": "validation_status", "type": "str", "default": "validating"},
            {"name": "completeness", "type": "float"},
            {"name": "feasibility", "type": "float"},
            {"name": "ambiguities", "type": "list[str]"},
            {"name": "questions", "type": "list[str]"},
            {"name": "decision", "type": "str"},
            {"name": "decided_by", "type": "str"},
            {"name": "rejection_reason", "type": "str"},
            {"name": "clarification_rounds", "type": "int"},
            {"name": "escalated", "type": "bool"},
        ],
    )
    signals = ["approveRequirement", "requestClarification", "rejectRequirement"]
    wf.node("start", "start", "Feature request")
    wf.node(
        "validate",
        "activity",
        "validateRequirementCompleteness",
        activity="validate_requirement_completeness",
        args={"feature_request": "input.feature_request"},
        result="completeness",
    )
    wf.node(
        "record_validation",
        "set_state",
        "Record validation",
        assignments=[
            {"target": "state.completeness", "value": "completeness.score"},
            {
                "target": "state.validation_status",
                "value": "'validated' if completeness.complete else 'incomplete'",
            },
        ],
    )
    wf.node("analyse", "parallel", "Agents analyse the request", mode="all")
    wf.node(
        "feasibility",
        "agent",
        "checkFeasibility",
        activity="check_feasibility",
        prompt="You are the Backend Architect. Assess the technical feasibility of this feature "
        "for project {input.project_id}: {input.feature_request}",
        result="feasibility_report",
    )
    wf.node(
        "record_feasibility",
        "set_state",
        "Record feasibility",
        assignments=[{"target": "state.feasibility", "value": "feasibility_report.confidence"}],
    )
    wf.node(
        "ambiguities",
        "agent",
        "identifyAmbiguities",
        activity="identify_ambiguities",
        prompt="List what is unclear in this feature request and the questions that would "
        "settle it: {input.feature_request}",
        result="ambiguity_report",
    )
    wf.node(
        "record_ambiguities",
        "set_state",
        "Record ambiguities",
        assignments=[
            {"target": "state.ambiguities", "value": "ambiguity_report.ambiguities"},
            {"target": "state.questions", "value": "ambiguity_report.questions"},
        ],
    )
    wf.node("analysed", "join", "Analysis done")
    wf.node("auto", "condition", "Auto-approve?", expression="input.auto_approve")
    wf.node(
        "auto_approved",
        "set_state",
        "Approved automatically",
        assignments=[
            {"target": "state.decision", "value": "'approved'"},
            {"target": "state.decided_by", "value": "'auto-approve'"},
        ],
    )
    open_first, open_last = _report_gate(
        wf,
        "report_open",
        "Report gate opened",
        _gate("requirement approval", "intake", signals, "24h", "'pending'", "''"),
    )
    wf.node(
        "decide",
        "loop",
        "Until approved or rejected",
        mode="while",
        condition="state.decision not in ('approved', 'rejected')",
        max_iterations=10,
    )
    wf.node(
        "approval",
        "wait",
        "Requirement approval (24 h)",
        parent="decide",
        gate="requirement approval",
        approved_when="state.decision == 'approved'",
        rejected_when="state.decision in ('rejected', 'clarification')",
        timeout=duration(86400, scale),
    )
    wf.node(
        "clarify",
        "condition",
        "Clarification requested?",
        parent="decide",
        expression="state.decision == 'clarification'",
    )
    wf.node(
        "answer",
        "agent",
        "Answer clarification questions",
        parent="decide",
        activity="answer_clarifications",
        prompt="The reviewer asks: {state.questions}. Answer from the request and the codebase, "
        "then restate the request: {input.feature_request}",
    )
    wf.node(
        "reopen",
        "set_state",
        "Reopen the gate",
        parent="decide",
        assignments=[
            {"target": "state.decision", "value": "''"},
            {"target": "state.clarification_rounds", "value": "state.clarification_rounds + 1"},
        ],
    )
    wf.node(
        "escalate",
        "activity",
        "Escalate to project manager",
        parent="decide",
        activity="escalate_approval",
        args={
            "gate": "'requirement approval'",
            "escalate_to": "'project manager'",
            "waited": "'24h'",
        },
    )
    wf.node(
        "mark_escalated",
        "set_state",
        "Mark escalated",
        parent="decide",
        assignments=[{"target": "state.escalated", "value": "True"}],
    )
    wf.node(
        "escalated_approval",
        "wait",
        "Escalated approval (24 h more)",
        parent="decide",
        gate="requirement approval (escalated)",
        approved_when="state.decision != ''",
        timeout=duration(86400, scale),
    )
    wf.node(
        "auto_reject",
        "set_state",
        "Reject: no answer in 48 h",
        parent="decide",
        assignments=[
            {"target": "state.decision", "value": "'rejected'"},
            {"target": "state.decided_by", "value": "'timeout'"},
            {"target": "state.rejection_reason", "value": "'no response within 48 hours'"},
        ],
    )
    wf.edge("approval", "clarify", "rejected")
    # the gate reopens before the agent runs: a decision signalled meanwhile is kept
    wf.edge("clarify", "reopen", "true")
    wf.chain("reopen", "answer")
    wf.edge("approval", "escalate", "timeout")
    wf.chain("escalate", "mark_escalated", "escalated_approval")
    wf.edge("escalated_approval", "auto_reject", "timeout")
    close_first, close_last = _report_gate(
        wf,
        "report_closed",
        "Report gate decided",
        _gate(
            "requirement approval",
            "intake",
            signals,
            "24h",
            "state.decision",
            "state.decided_by",
        ),
    )
    wf.node("approved", "condition", "Approved?", expression="state.decision == 'approved'")
    wf.node(
        "create_requirement",
        "activity",
        "createBrainGridRequirement",
        activity="create_braingrid_requirement",
        args={
            "project_id": "input.project_id",
            "title": "input.feature_request[:80]",
            "description": "input.feature_request",
        },
        result="requirement",
    )
    wf.node(
        "breakdown",
        "activity",
        "triggerTaskBreakdown",
        activity="trigger_task_breakdown",
        args={"requirement_id": "requirement.requirement_id"},
    )
    wf.node(
        "tasks",
        "activity",
        "retrieveTasks",
        activity="retrieve_tasks",
        args={"requirement_id": "requirement.requirement_id"},
        result="tasks",
    )
    common = (
        "decision=state.decision, decided_by=state.decided_by, feasibility=state.feasibility, "
        "questions=state.questions"
    )
    wf.node(
        "accepted",
        "end",
        "Requirement accepted",
        value=f"IntakeResult(approved=True, requirement_id=requirement.requirement_id, "
        f"tasks=tasks, {common})",
    )
    wf.node(
        "declined",
        "end",
        "Requirement rejected",
        value=f"IntakeResult(approved=False, requirement_id='', tasks=[], {common})",
    )
    wf.chain("start", "validate", "record_validation", "analyse")
    wf.edge("analyse", "feasibility", "branch")
    wf.edge("analyse", "ambiguities", "branch")
    wf.chain("feasibility", "record_feasibility", "analysed")
    wf.chain("ambiguities", "record_ambiguities", "analysed")
    wf.chain("analysed", "auto")
    wf.edge("auto", "auto_approved", "true")
    wf.edge("auto", open_first, "false")
    wf.edge(open_first, "decide", "false")
    wf.chain(open_last, "decide", close_first)
    wf.edge(close_first, "approved", "false")
    wf.chain(close_last, "approved")
    wf.chain("auto_approved", "approved")
    wf.edge("approved", "create_requirement", "true")
    wf.chain("create_requirement", "breakdown", "tasks", "accepted")
    wf.edge("approved", "declined", "false")

    _decision_signal(
        wf,
        "approve",
        "approveRequirement",
        "approveRequirement",
        {"approver": "str"},
        [("state.decision", "'approved'"), ("state.decided_by", "payload.approver")],
        INTAKE_OPEN,
    )
    _decision_signal(
        wf,
        "clarification",
        "requestClarification",
        "requestClarification",
        {"requester": "str", "questions": "list[str]"},
        [
            ("state.decision", "'clarification'"),
            ("state.decided_by", "payload.requester"),
            ("state.questions", "payload.questions"),
        ],
        INTAKE_OPEN,
    )
    _decision_signal(
        wf,
        "reject",
        "rejectRequirement",
        "rejectRequirement",
        {"approver": "str", "reason": "str"},
        [
            ("state.decision", "'rejected'"),
            ("state.decided_by", "payload.approver"),
            ("state.rejection_reason", "payload.reason"),
        ],
        INTAKE_OPEN,
    )
    wf.node(
        "validation_status",
        "query",
        "getValidationStatus",
        name="getValidationStatus",
        returns="dict[str, Any]",
        value="{'status': state.validation_status, 'completeness': state.completeness, "
        "'feasibility': state.feasibility, 'ambiguities': state.ambiguities, "
        "'decision': state.decision, 'escalated': state.escalated}",
    )
    wf.node(
        "clarification_questions",
        "query",
        "getClarificationQuestions",
        name="getClarificationQuestions",
        returns="list[str]",
        value="state.questions",
    )
    return wf


# task planning


def _task_planning(scale: float) -> WorkflowBuilder:
    wf = WorkflowBuilder(
        "task-planning",
        "Task planning",
        "Agents review the BrainGrid breakdown, dependencies are validated and effort "
        "estimated; a human approves or asks for revisions (48 h, then escalate to a senior "
        "developer; no answer after 72 h approves with a warning).",
        input={
            "requirement_id": "str",
            "tasks": "list[DevTask]",
            "auto_approve": "bool",
            "orchestrator_id": "str",
        },
        output="PlanningResult",
        state=[
            {"name": "review_score", "type": "float"},
            {"name": "concerns", "type": "list[str]"},
            {"name": "estimated_hours", "type": "float"},
            {"name": "suggested_tasks", "type": "list[DevTask]"},
            {"name": "custom_tasks", "type": "list[DevTask]"},
            {"name": "decision", "type": "str"},
            {"name": "decided_by", "type": "str"},
            {"name": "revision_notes", "type": "list[str]"},
            {"name": "revisions", "type": "int"},
            {"name": "warnings", "type": "list[str]"},
        ],
    )
    signals = ["approveTasks", "requestRevisions", "addCustomTask"]
    wf.node("start", "start", "Task breakdown")
    wf.node(
        "review",
        "agent",
        "reviewTaskBreakdown",
        activity="review_task_breakdown",
        prompt="Review the logic and order of these tasks for {input.requirement_id}: "
        "{[t.title for t in input.tasks]}",
        result="review",
    )
    wf.node(
        "record_review",
        "set_state",
        "Record review",
        assignments=[
            {"target": "state.review_score", "value": "review.score"},
            {"target": "state.concerns", "value": "review.concerns"},
        ],
    )
    wf.node(
        "dependencies",
        "activity",
        "validateDependencies",
        activity="validate_dependencies",
        args={
            "task_ids": "[t.task_id for t in input.tasks]",
            "dependencies": "{t.task_id: t.dependencies for t in input.tasks}",
        },
        result="dependencies",
    )
    wf.node("dependencies_ok", "condition", "Dependencies valid?", expression="dependencies.valid")
    wf.node(
        "invalid",
        "fail",
        "Invalid dependencies",
        message="task dependencies of {input.requirement_id} are invalid: cycles "
        "{dependencies.cycles}, missing {dependencies.missing}",
        error_type="InvalidDependencies",
    )
    wf.node("assess", "parallel", "Estimate and find gaps", mode="all")
    wf.node(
        "estimate",
        "agent",
        "estimateEffort",
        activity="estimate_effort",
        prompt="Estimate hours and complexity for each task: {[t.title for t in input.tasks]}",
        result="estimate",
    )
    wf.node(
        "record_estimate",
        "set_state",
        "Record estimate",
        assignments=[{"target": "state.estimated_hours", "value": "estimate.total_hours"}],
    )
    wf.node(
        "missing",
        "agent",
        "identifyMissingTasks",
        activity="identify_missing_tasks",
        prompt="Which tasks are missing to ship {input.requirement_id}? Tasks so far: "
        "{[t.title for t in input.tasks]}",
        result="missing",
    )
    wf.node(
        "record_missing",
        "set_state",
        "Record suggestions",
        assignments=[{"target": "state.suggested_tasks", "value": "missing.tasks"}],
    )
    wf.node("assessed", "join", "Assessed")
    wf.node("auto", "condition", "Auto-approve?", expression="input.auto_approve")
    wf.node(
        "auto_approved",
        "set_state",
        "Approved automatically",
        assignments=[
            {"target": "state.decision", "value": "'approved'"},
            {"target": "state.decided_by", "value": "'auto-approve'"},
        ],
    )
    open_first, open_last = _report_gate(
        wf,
        "report_open",
        "Report gate opened",
        _gate("task review", "planning", signals, "48h", "'pending'", "''"),
    )
    wf.node(
        "decide",
        "loop",
        "Until approved",
        mode="while",
        condition="state.decision != 'approved'",
        max_iterations=10,
    )
    wf.node(
        "approval",
        "wait",
        "Task review (48 h)",
        parent="decide",
        gate="task review",
        approved_when="state.decision == 'approved'",
        rejected_when="state.decision == 'revise'",
        timeout=duration(2 * 86400, scale),
    )
    wf.node(
        "revise",
        "activity",
        "updateBrainGridTasks",
        parent="decide",
        activity="update_braingrid_tasks",
        args={"requirement_id": "input.requirement_id", "notes": "state.revision_notes"},
    )
    wf.node(
        "reopen",
        "set_state",
        "Reopen the gate",
        parent="decide",
        assignments=[
            {"target": "state.decision", "value": "''"},
            {"target": "state.revisions", "value": "state.revisions + 1"},
        ],
    )
    wf.node(
        "escalate",
        "activity",
        "Escalate to senior developer",
        parent="decide",
        activity="escalate_approval",
        args={
            "gate": "'task review'",
            "escalate_to": "'senior developer'",
            "waited": "'48h'",
        },
    )
    wf.node(
        "escalated_approval",
        "wait",
        "Escalated review (24 h more)",
        parent="decide",
        gate="task review (escalated)",
        approved_when="state.decision != ''",
        timeout=duration(86400, scale),
    )
    wf.node(
        "auto_approve_warning",
        "set_state",
        "Approve with a warning after 72 h",
        parent="decide",
        assignments=[
            {"target": "state.decision", "value": "'approved'"},
            {"target": "state.decided_by", "value": "'timeout'"},
            {
                "target": "state.warnings",
                "value": "state.warnings + ['approved without a human review after 72 hours']",
            },
        ],
    )
    wf.edge("approval", "reopen", "rejected")
    wf.chain("reopen", "revise")
    wf.edge("approval", "escalate", "timeout")
    wf.chain("escalate", "escalated_approval")
    wf.edge("escalated_approval", "auto_approve_warning", "timeout")
    close_first, close_last = _report_gate(
        wf,
        "report_closed",
        "Report gate decided",
        _gate("task review", "planning", signals, "48h", "state.decision", "state.decided_by"),
    )
    wf.node(
        "planned",
        "end",
        "Plan approved",
        value="PlanningResult(approved=state.decision == 'approved', decision=state.decision, "
        "decided_by=state.decided_by, tasks=input.tasks + state.custom_tasks, "
        "estimated_hours=state.estimated_hours, warnings=state.warnings)",
    )
    wf.chain("start", "review", "record_review", "dependencies", "dependencies_ok")
    wf.edge("dependencies_ok", "invalid", "false")
    wf.edge("dependencies_ok", "assess", "true")
    wf.edge("assess", "estimate", "branch")
    wf.edge("assess", "missing", "branch")
    wf.chain("estimate", "record_estimate", "assessed")
    wf.chain("missing", "record_missing", "assessed")
    wf.chain("assessed", "auto")
    wf.edge("auto", "auto_approved", "true")
    wf.edge("auto", open_first, "false")
    wf.edge(open_first, "decide", "false")
    wf.chain(open_last, "decide", close_first)
    wf.edge(close_first, "planned", "false")
    wf.chain(close_last, "planned")
    wf.chain("auto_approved", "planned")

    _decision_signal(
        wf,
        "approve",
        "approveTasks",
        "approveTasks",
        {"approver": "str"},
        [("state.decision", "'approved'"), ("state.decided_by", "payload.approver")],
        PLANNING_OPEN,
    )
    _decision_signal(
        wf,
        "revisions",
        "requestRevisions",
        "requestRevisions",
        {"reviewer": "str", "notes": "str"},
        [
            ("state.decision", "'revise'"),
            ("state.decided_by", "payload.reviewer"),
            ("state.revision_notes", "state.revision_notes + [payload.notes]"),
        ],
        PLANNING_OPEN,
    )
    _decision_signal(
        wf,
        "custom_task",
        "addCustomTask",
        "addCustomTask",
        {"task": "DevTask"},
        [("state.custom_tasks", "state.custom_tasks + [payload.task]")],
        PLANNING_OPEN,
    )
    wf.node(
        "task_review",
        "query",
        "getTaskReview",
        name="getTaskReview",
        returns="dict[str, Any]",
        value="{'score': state.review_score, 'concerns': state.concerns, "
        "'estimated_hours': state.estimated_hours, "
        "'suggested_tasks': [t.title for t in state.suggested_tasks], "
        "'custom_tasks': [t.title for t in state.custom_tasks], 'decision': state.decision}",
    )
    wf.node(
        "dependency_graph",
        "query",
        "getDependencyGraph",
        name="getDependencyGraph",
        returns="dict[str, list[str]]",
        value="{t.task_id: t.dependencies for t in input.tasks + state.custom_tasks}",
    )
    return wf


# development


def _development(scale: float) -> WorkflowBuilder:
    wf = WorkflowBuilder(
        "development",
        "Development",
        "Creates the feature branch, runs one task-execution child per task in dependency "
        "order (at most 4 at once; a task whose dependency failed is skipped), then reviews "
        "the aggregated changes.",
        input={
            "requirement_id": "str",
            "tasks": "list[DevTask]",
            "feature_slug": "str",
            "base_branch": "str",
        },
        output="DevelopmentResult",
        state=[
            {"name": "status", "type": "str", "default": "creating branch"},
            {"name": "branch", "type": "str"},
            {"name": "completed", "type": "list[str]"},
            {"name": "failed", "type": "list[str]"},
            {"name": "skipped", "type": "list[str]"},
            {"name": "commit_sha", "type": "str"},
            {"name": "review_approved", "type": "bool"},
        ],
    )
    wf.node("start", "start", "Approved tasks")
    wf.node(
        "branch",
        "activity",
        "createFeatureBranch",
        activity="create_feature_branch",
        args={
            "requirement_id": "input.requirement_id",
            "feature_slug": "input.feature_slug",
            "base_branch": "input.base_branch",
        },
        result="branch",
    )
    wf.node(
        "on_branch",
        "set_state",
        "Record branch",
        assignments=[
            {"target": "state.branch", "value": "branch.name"},
            {"target": "state.status", "value": "'executing tasks'"},
        ],
    )
    wf.node(
        "execute",
        "spawn_children",
        "TaskExecutionWorkflow × N (dependency-aware, max 4)",
        workflow="task-execution",
        items="input.tasks",
        key="item.task_id",
        depends_on="item.dependencies",
        concurrency=4,
        failure_policy="continue",
        id_template="{workflow_id}-{item.task_id}",
        args={
            "task": "item",
            "requirement_id": "input.requirement_id",
            "branch": "state.branch",
        },
        result="executions",
    )
    wf.node(
        "record_tasks",
        "set_state",
        "Record task outcomes",
        assignments=[
            {"target": "state.completed", "value": "sorted(executions['completed'])"},
            {"target": "state.failed", "value": "sorted(executions['failed'])"},
            {"target": "state.skipped", "value": "sorted(executions['skipped'])"},
        ],
    )
    wf.node(
        "all_done",
        "condition",
        "All tasks complete?",
        expression="not state.failed and not state.skipped",
    )
    wf.node(
        "aggregate",
        "activity",
        "aggregateCodeChanges",
        activity="aggregate_code_changes",
        args={"branch": "state.branch", "task_ids": "state.completed"},
        result="changes",
    )
    wf.node(
        "reviewing",
        "set_state",
        "Record head commit",
        assignments=[
            {"target": "state.commit_sha", "value": "changes.head_sha"},
            {"target": "state.status", "value": "'in code review'"},
        ],
    )
    wf.node(
        "review",
        "child_workflow",
        "CodeReviewWorkflow",
        workflow="code-review",
        args={
            "branch": "state.branch",
            "commit_sha": "changes.head_sha",
            "changed_files": "changes.files_changed",
        },
        id_template="{workflow_id}-code-review",
        result="review",
    )
    wf.node(
        "record_review",
        "set_state",
        "Record review",
        assignments=[
            {"target": "state.review_approved", "value": "review.approved"},
            {"target": "state.status", "value": "'done'"},
        ],
    )
    result = (
        "DevelopmentResult(branch=state.branch, commit_sha=state.commit_sha, "
        "completed=state.completed, failed=state.failed, skipped=state.skipped, "
        "all_tasks_complete={complete}, review_approved=state.review_approved)"
    )
    wf.node("developed", "end", "Developed", value=result.format(complete="True"))
    wf.node("incomplete", "end", "Tasks incomplete", value=result.format(complete="False"))
    wf.chain("start", "branch", "on_branch", "execute", "record_tasks", "all_done")
    wf.edge("all_done", "aggregate", "true")
    wf.chain("aggregate", "reviewing", "review", "record_review", "developed")
    wf.edge("all_done", "incomplete", "false")
    wf.node(
        "progress",
        "query",
        "getTaskProgress",
        name="getTaskProgress",
        returns="dict[str, Any]",
        value="{'status': state.status, 'branch': state.branch, 'completed': state.completed, "
        "'failed': state.failed, 'skipped': state.skipped, 'total': len(input.tasks)}",
    )
    return wf


def _task_execution(scale: float) -> WorkflowBuilder:
    wf = WorkflowBuilder(
        "task-execution",
        "Task execution",
        "One development task: the assigned agent gets up to 3 attempts with exponential "
        "backoff (implement, validate, unit tests); after that an alternative agent tries; "
        "if it fails too, the task is marked failed and escalated.",
        input={"task": "DevTask", "requirement_id": "str", "branch": "str"},
        output="TaskResult",
        state=[
            {"name": "status", "type": "str", "default": "loading context"},
            {"name": "agent", "type": "str"},
            {"name": "attempts", "type": "int"},
            {"name": "files", "type": "list[str]"},
            {"name": "tests_passed", "type": "int"},
            {"name": "commit_sha", "type": "str"},
            {"name": "error", "type": "str"},
        ],
    )
    prompt = (
        "You are the {agent} agent. Implement task {input.task.task_id} of "
        "{input.requirement_id}: {input.task.title}. Related files: {context.related_files}. "
        "Acceptance criteria: {context.acceptance_criteria}."
    )
    wf.node("start", "start", "Task")
    wf.node(
        "context",
        "activity",
        "loadTaskContext",
        activity="load_task_context",
        args={"task_id": "input.task.task_id", "title": "input.task.title"},
        result="context",
    )
    wf.node(
        "primary",
        "retry",
        "Assigned agent: 3 attempts with backoff",
        backoff="exponential",
        initial_interval=duration(30, scale),
        maximum_interval=duration(300, scale),
        max_attempts=3,
    )
    wf.node(
        "note_attempt",
        "set_state",
        "Record attempt",
        parent="primary",
        assignments=[
            {"target": "state.attempts", "value": "attempt"},
            {"target": "state.agent", "value": "input.task.agent_type"},
            {"target": "state.status", "value": "f'implementing (attempt {attempt})'"},
        ],
    )
    wf.node(
        "implement",
        "agent",
        "executeAgentTask",
        parent="primary",
        activity="execute_agent_task",
        prompt=prompt.replace("{agent}", "{input.task.agent_type}"),
        args={"task_id": "input.task.task_id", "agent_type": "input.task.agent_type"},
        result="changes",
    )
    wf.node(
        "validate",
        "activity",
        "validateCodeChanges",
        parent="primary",
        activity="validate_code_changes",
        args={"task_id": "input.task.task_id", "files": "changes.files"},
    )
    wf.node(
        "unit_tests",
        "activity",
        "runUnitTests",
        parent="primary",
        activity="run_task_unit_tests",
        args={
            "task_id": "input.task.task_id",
            "task_type": "input.task.task_type",
            "implemented_by": "'primary'",
        },
        result="tests",
        retry={"maximum_attempts": 1},
    )
    wf.node(
        "record_primary",
        "set_state",
        "Record changes",
        parent="primary",
        assignments=[
            {"target": "state.files", "value": "changes.files"},
            {"target": "state.tests_passed", "value": "tests.passed"},
        ],
    )
    wf.chain("note_attempt", "implement", "validate", "unit_tests", "record_primary")
    wf.node("alternative", "try", "Alternative agent")
    wf.node(
        "note_alternative",
        "set_state",
        "Switch agent",
        parent="alternative",
        assignments=[
            {"target": "state.attempts", "value": "state.attempts + 1"},
            {"target": "state.agent", "value": "input.task.alternative_agent"},
            {"target": "state.status", "value": "'implementing (alternative agent)'"},
        ],
    )
    wf.node(
        "implement_alternative",
        "agent",
        "executeAgentTask (alternative)",
        parent="alternative",
        activity="execute_agent_task",
        prompt=prompt.replace("{agent}", "{input.task.alternative_agent}"),
        args={"task_id": "input.task.task_id", "agent_type": "input.task.alternative_agent"},
        result="alternative_changes",
    )
    wf.node(
        "validate_alternative",
        "activity",
        "validateCodeChanges (alternative)",
        parent="alternative",
        activity="validate_code_changes",
        args={"task_id": "input.task.task_id", "files": "alternative_changes.files"},
    )
    wf.node(
        "unit_tests_alternative",
        "activity",
        "runUnitTests (alternative)",
        parent="alternative",
        activity="run_task_unit_tests",
        args={
            "task_id": "input.task.task_id",
            "task_type": "input.task.task_type",
            "implemented_by": "'alternative'",
        },
        result="alternative_tests",
        retry={"maximum_attempts": 1},
    )
    wf.node(
        "record_alternative",
        "set_state",
        "Record changes",
        parent="alternative",
        assignments=[
            {"target": "state.files", "value": "alternative_changes.files"},
            {"target": "state.tests_passed", "value": "alternative_tests.passed"},
        ],
    )
    wf.chain(
        "note_alternative",
        "implement_alternative",
        "validate_alternative",
        "unit_tests_alternative",
        "record_alternative",
    )
    wf.node(
        "mark_failed",
        "activity",
        "updateTaskStatus: failed",
        activity="update_task_status",
        args={"task_id": "input.task.task_id", "status": "'failed'", "detail": "error"},
    )
    wf.node(
        "record_failure",
        "set_state",
        "Record failure",
        assignments=[
            {"target": "state.error", "value": "error"},
            {"target": "state.status", "value": "'failed'"},
        ],
    )
    wf.node("failed", "condition", "Task failed?", expression="state.status == 'failed'")
    wf.node(
        "escalate",
        "fail",
        "Escalate: task failed",
        message="task {input.task.task_id} failed after {state.attempts} attempts "
        "(assigned and alternative agent): {state.error}",
        error_type="TaskFailed",
    )
    wf.node(
        "commit",
        "activity",
        "commitChanges",
        activity="commit_changes",
        args={
            "branch": "input.branch",
            "task_id": "input.task.task_id",
            "message": "f'feat({input.task.task_type}): {input.task.title} "
            "[{input.task.task_id}, {input.requirement_id}]'",
            "files": "state.files",
        },
        result="commit",
    )
    wf.node(
        "record_commit",
        "set_state",
        "Record commit",
        assignments=[
            {"target": "state.commit_sha", "value": "commit.sha"},
            {"target": "state.status", "value": "'done'"},
        ],
    )
    wf.node(
        "mark_done",
        "activity",
        "updateTaskStatus: done",
        activity="update_task_status",
        args={"task_id": "input.task.task_id", "status": "'done'", "detail": "commit.sha"},
    )
    wf.node(
        "done",
        "end",
        "Task done",
        value="TaskResult(task_id=input.task.task_id, success=True, agent=state.agent, "
        "attempts=state.attempts, commit_sha=commit.sha, files_changed=len(state.files))",
    )
    wf.chain("start", "context", "primary")
    wf.edge("primary", "failed")
    wf.edge("primary", "alternative", "exhausted")
    wf.edge("alternative", "failed")
    wf.edge("alternative", "mark_failed", "error")
    wf.chain("mark_failed", "record_failure", "failed")
    wf.edge("failed", "escalate", "true")
    wf.edge("failed", "commit", "false")
    wf.chain("commit", "record_commit", "mark_done", "done")
    wf.node(
        "status",
        "query",
        "getExecutionStatus",
        name="getExecutionStatus",
        returns="dict[str, Any]",
        value="{'task_id': input.task.task_id, 'status': state.status, 'agent': state.agent, "
        "'attempts': state.attempts, 'files': state.files, 'commit_sha': state.commit_sha}",
    )
    return wf


def _code_review(scale: float) -> WorkflowBuilder:
    wf = WorkflowBuilder(
        "code-review",
        "Code review",
        "Automated review before merge: code quality (agent), security (no high or critical "
        "findings), coverage above 80 %, TypeScript strict mode and WCAG 2.1 AA, in parallel. "
        "When a gate fails, a human reviews (24 h).",
        input={"branch": "str", "commit_sha": "str", "changed_files": "list[str]"},
        output="ReviewResult",
        state=[
            {"name": "gates", "type": "list[GateResult]"},
            {"name": "findings", "type": "int"},
            {"name": "decision", "type": "str"},
            {"name": "reviewer", "type": "str"},
        ],
    )
    wf.node("start", "start", "Branch to review")
    wf.node(
        "load",
        "activity",
        "loadCodeChanges",
        activity="load_code_changes",
        args={"branch": "input.branch", "commit_sha": "input.commit_sha"},
        result="diff",
    )
    wf.node("gates", "parallel", "Quality gates", mode="all")

    def gate_branch(
        key: str, label: str, activity: str, args: dict[str, str], gate: str, agent: bool = False
    ) -> None:
        config: dict[str, Any] = {"activity": activity, "args": args, "result": f"{key}_report"}
        if agent:
            config["prompt"] = (
                "Review the code quality of {input.branch} ({len(diff.files)} files, "
                "+{diff.lines_added}/-{diff.lines_removed})"
            )
        wf.node(key, "agent" if agent else "activity", label, **config)
        wf.node(
            f"{key}_gate",
            "set_state",
            f"{label} gate",
            assignments=[{"target": "state.gates", "value": f"state.gates + [{gate}]"}],
        )
        wf.edge("gates", key, "branch")
        wf.chain(key, f"{key}_gate", "reviewed")

    wf.node("reviewed", "join", "Gates done")
    gate_branch(
        "quality",
        "reviewCodeQuality",
        "review_code_quality",
        {},
        "GateResult(name='code quality', passed=quality_report.score >= 80, "
        "value=quality_report.score, threshold=80.0, critical=False, "
        "detail=quality_report.summary)",
        agent=True,
    )
    gate_branch(
        "security",
        "scanSecurity",
        "scan_security",
        {"branch": "input.branch"},
        "GateResult(name='security', passed=security_report.critical + security_report.high == "
        "0, value=float(security_report.critical + security_report.high), threshold=0.0, "
        "critical=True, detail=f'{security_report.medium} medium, {security_report.low} low')",
    )
    gate_branch(
        "coverage",
        "checkTestCoverage",
        "check_test_coverage",
        {"branch": "input.branch", "files": "input.changed_files"},
        "GateResult(name='test coverage', passed=coverage_report.percent > 80, "
        "value=coverage_report.percent, threshold=80.0, critical=True, "
        "detail=f'{len(coverage_report.uncovered_files)} files without tests')",
    )
    gate_branch(
        "typescript",
        "validateTypeScript",
        "validate_typescript",
        {"branch": "input.branch"},
        "GateResult(name='typescript strict', passed=typescript_report.strict and "
        "typescript_report.errors == 0, value=float(typescript_report.errors), threshold=0.0, "
        "critical=True, detail=f'{typescript_report.errors} type errors')",
    )
    gate_branch(
        "accessibility",
        "checkAccessibility",
        "check_accessibility",
        {"branch": "input.branch"},
        "GateResult(name='accessibility', passed=accessibility_report.violations == 0, "
        "value=float(accessibility_report.violations), threshold=0.0, critical=False, "
        "detail=accessibility_report.level)",
    )
    wf.node(
        "count_findings",
        "set_state",
        "Count findings",
        assignments=[
            {"target": "state.findings", "value": "len([g for g in state.gates if not g.passed])"}
        ],
    )
    wf.node(
        "report",
        "activity",
        "generateReviewReport",
        activity="generate_review_report",
        args={
            "branch": "input.branch",
            "gates_passed": "len([g for g in state.gates if g.passed])",
            "gates_total": "len(state.gates)",
        },
    )
    wf.node("all_passed", "condition", "All gates pass?", expression="state.findings == 0")
    result = (
        "ReviewResult(approved={approved}, requires_human_review={human}, gates=state.gates, "
        "findings=state.findings, reviewed_by={by})"
    )
    wf.node(
        "auto_approved",
        "end",
        "Approved by automated review",
        value=result.format(approved="True", human="False", by="'automated review'"),
    )
    wf.node(
        "human",
        "wait",
        "Human review (24 h)",
        gate="human code review",
        approved_when="state.decision == 'approved'",
        rejected_when="state.decision == 'changes_requested'",
        timeout=duration(86400, scale),
    )
    wf.node(
        "human_approved",
        "end",
        "Approved by a reviewer",
        value=result.format(approved="True", human="True", by="state.reviewer"),
    )
    wf.node(
        "changes_requested",
        "end",
        "Changes requested",
        value=result.format(approved="False", human="True", by="state.reviewer or 'nobody'"),
    )
    wf.chain("start", "load", "gates")
    wf.chain("reviewed", "count_findings", "report", "all_passed")
    wf.edge("all_passed", "auto_approved", "true")
    wf.edge("all_passed", "human", "false")
    wf.edge("human", "human_approved", "approved")
    wf.edge("human", "changes_requested", "rejected")
    wf.edge("human", "changes_requested", "timeout")
    _decision_signal(
        wf,
        "approve",
        "approveReview",
        "approveReview",
        {"reviewer": "str"},
        [("state.decision", "'approved'"), ("state.reviewer", "payload.reviewer")],
        undecided="state.decision == ''",
    )
    _decision_signal(
        wf,
        "request_changes",
        "requestChanges",
        "requestChanges",
        {"reviewer": "str"},
        [("state.decision", "'changes_requested'"), ("state.reviewer", "payload.reviewer")],
        undecided="state.decision == ''",
    )
    wf.node(
        "gate_status",
        "query",
        "getGateStatus",
        name="getGateStatus",
        returns="list[GateResult]",
        value="state.gates",
    )
    return wf


def _testing(scale: float) -> WorkflowBuilder:
    wf = WorkflowBuilder(
        "testing",
        "Testing",
        "Runs every test type in parallel (at most 8 at once), then agents look for "
        "regressions and analyse the results, and the evidence is stored.",
        input={"branch": "str", "commit_sha": "str", "test_types": "list[str]"},
        output="TestingResult",
        state=[
            {"name": "suites", "type": "list[TestReport]"},
            {"name": "status", "type": "str", "default": "running"},
        ],
    )
    wf.node("start", "start", "Branch to test")
    wf.node(
        "suites",
        "loop",
        "Each test type (max 8 in parallel)",
        mode="for_each",
        items="input.test_types",
        concurrency=8,
    )
    wf.node(
        "run",
        "activity",
        "Run test suite",
        parent="suites",
        activity="run_test_suite",
        args={"branch": "input.branch", "test_type": "item"},
        result="suite",
    )
    wf.node(
        "collect",
        "set_state",
        "Aggregate result",
        parent="suites",
        assignments=[{"target": "state.suites", "value": "state.suites + [suite]"}],
    )
    wf.chain("run", "collect")
    wf.node(
        "regressions",
        "agent",
        "detectRegressions",
        activity="detect_regressions",
        prompt="Compare these results of {input.branch} with the main branch baseline: "
        "{[(s.suite, s.passed, s.failed) for s in state.suites]}",
        result="regressions",
    )
    wf.node(
        "analyse",
        "agent",
        "analyzeTestResults",
        activity="analyze_test_results",
        prompt="Analyse {sum(s.passed for s in state.suites)} passed and "
        "{sum(s.failed for s in state.suites)} failed tests for flakiness and risk.",
    )
    wf.node(
        "evidence",
        "activity",
        "collectEvidence",
        activity="collect_evidence",
        args={
            "branch": "input.branch",
            "commit_sha": "input.commit_sha",
            "suites": "[s.suite for s in state.suites]",
        },
        result="evidence",
    )
    wf.node(
        "tested",
        "end",
        "Tested",
        value="TestingResult(all_passed=all(s.failed == 0 for s in state.suites) and "
        "not regressions.regressions, suites=state.suites, "
        "total_passed=sum(s.passed for s in state.suites), "
        "total_failed=sum(s.failed for s in state.suites), "
        "coverage=min([s.coverage for s in state.suites], default=0.0), "
        "critical_findings=sum(s.critical_findings for s in state.suites), "
        "regressions=regressions.regressions, evidence_url=evidence.url)",
    )
    wf.chain("start", "suites", "regressions", "analyse", "evidence", "tested")
    wf.node(
        "progress",
        "query",
        "getTestProgress",
        name="getTestProgress",
        returns="dict[str, list[str]]",
        value="{'finished': [s.suite for s in state.suites], 'running': [t for t in "
        "input.test_types if t not in [s.suite for s in state.suites]]}",
    )
    wf.node(
        "failures",
        "query",
        "getFailures",
        name="getFailures",
        returns="list[TestReport]",
        value="[s for s in state.suites if s.failed > 0]",
    )
    return wf


# deployments


def _deployment(scale: float, environment: str, health_checks: int | None) -> WorkflowBuilder:
    """staging-deployment or production-deployment: they share their skeleton."""
    production = environment == "production"
    interval = 15 if production else 30
    window = 600 if production else 300
    checks = health_checks or window // interval
    inputs = {"branch": "str", "commit_sha": "str"}
    if production:
        inputs["previous_sha"] = "str"
    wf = WorkflowBuilder(
        f"{environment}-deployment",
        f"{environment.capitalize()} deployment",
        (
            "Verified backup, migrations, deploy; health checked every 15 s for 10 minutes. 3 "
            "consecutive failed checks, an error rate above 3x baseline or triggerRollback run "
            "the rollback sequence: migrations down, code to the previous SHA, re-deploy, "
            "verify, watch recovery, document."
            if production
            else "Backup, migrations, deploy; health monitored every 30 s for 5 minutes; 3 "
            "consecutive failed checks or a triggerRollback signal roll the deployment back; "
            "then UAT and an agent's validation."
        ),
        input=inputs,
        output="DeploymentResult",
        state=[
            {"name": "status", "type": "str", "default": "backing up"},
            {"name": "deployment_id", "type": "str"},
            {"name": "backup_id", "type": "str"},
            {"name": "planned_checks", "type": "int", "default": checks},
            {"name": "checks", "type": "int"},
            {"name": "failed_checks", "type": "int"},
            {"name": "consecutive_failures", "type": "int"},
            {"name": "baseline_error_rate", "type": "float", "default": 0.01},
            {"name": "health", "type": "list[HealthCheck]"},
            {"name": "rollback_requested", "type": "bool"},
            {"name": "rollback_reason", "type": "str"},
            {"name": "rollback_completed", "type": "bool"},
            {"name": "last_error", "type": "str"},
        ],
    )
    env = repr(environment)
    wf.node("start", "start", "Release")
    wf.node(
        "backup",
        "activity",
        f"create{environment.capitalize()}Backup",
        activity="create_backup",
        args={"environment": env, "commit_sha": "input.commit_sha"},
        result="backup",
    )
    wf.node(
        "record_backup",
        "set_state",
        "Record backup",
        assignments=[
            {"target": "state.backup_id", "value": "backup.backup_id"},
            {"target": "state.status", "value": "'deploying'"},
        ],
    )
    first = ["start", "backup", "record_backup"]
    if production:
        wf.node(
            "verify_backup",
            "activity",
            "verifyBackup",
            activity="verify_backup",
            args={"backup_id": "backup.backup_id"},
            result="backup_check",
        )
        wf.node(
            "backup_ok", "condition", "Backup not verified?", expression="not backup_check.verified"
        )
        wf.node(
            "no_backup",
            "fail",
            "Stop: backup not verified",
            message="backup {backup.backup_id} failed verification; not deploying",
            error_type="BackupNotVerified",
        )
        wf.node(
            "baseline",
            "activity",
            "Baseline health",
            activity="monitor_health",
            args={"environment": env, "commit_sha": "input.previous_sha", "check": "0"},
            result="baseline",
        )
        wf.node(
            "record_baseline",
            "set_state",
            "Record baseline",
            assignments=[
                {"target": "state.baseline_error_rate", "value": "max(baseline.error_rate, 0.001)"}
            ],
        )
        wf.chain("record_backup", "verify_backup", "backup_ok")
        wf.edge("backup_ok", "no_backup", "true")
        wf.edge("backup_ok", "baseline", "false")
        wf.chain("baseline", "record_baseline")
        first.append("record_baseline")
    wf.chain(*first[:3])
    wf.node("release", "try", "Deploy")
    wf.node(
        "migrate",
        "activity",
        f"run{environment.capitalize()}Migrations",
        parent="release",
        activity="run_migrations",
        args={"environment": env, "branch": "input.branch"},
        compensation={
            "activity": "rollback_migrations",
            "args": {"environment": env, "backup_id": "backup.backup_id"},
        },
    )
    wf.node(
        "deploy",
        "activity",
        f"deployTo{environment.capitalize()}",
        parent="release",
        activity="deploy",
        args={"environment": env, "branch": "input.branch", "commit_sha": "input.commit_sha"},
        result="deployment",
        compensation={
            "activity": "rollback_deployment",
            "args": {"environment": env, "deployment_id": "deployment.deployment_id"},
        },
    )
    wf.node(
        "verify",
        "activity",
        "verifyDeployment",
        parent="release",
        activity="verify_deployment",
        args={"deployment_id": "deployment.deployment_id"},
    )
    wf.node(
        "deployed",
        "set_state",
        "Record deployment",
        parent="release",
        assignments=[
            {"target": "state.deployment_id", "value": "deployment.deployment_id"},
            {"target": "state.status", "value": "'monitoring'"},
        ],
    )
    wf.chain("migrate", "deploy", "verify", "deployed")
    wf.node(
        "deploy_failed",
        "set_state",
        "Deployment failed (undone)",
        assignments=[
            {"target": "state.rollback_requested", "value": "True"},
            {"target": "state.rollback_reason", "value": "f'deployment failed: {error}'"},
        ],
    )
    wf.chain(first[-1], "release")
    wf.edge("release", "deploy_failed", "error")
    wf.node(
        "monitor",
        "loop",
        f"Health monitoring (every {interval} s, {window // 60} min)",
        mode="while",
        condition="not state.rollback_requested and state.checks < state.planned_checks "
        "and state.consecutive_failures < 3",
        max_iterations=1_000,
    )
    wf.node(
        "interval",
        "wait",
        f"Next check in {interval} s (unless a rollback is triggered)",
        parent="monitor",
        gate="manual rollback (triggerRollback)",
        approved_when="state.rollback_requested",
        timeout=duration(interval, scale),
    )
    wf.node("probe", "try", "Probe", parent="monitor")
    wf.node(
        "check",
        "activity",
        "monitorHealth",
        parent="probe",
        activity="monitor_health",
        args={"environment": env, "commit_sha": "input.commit_sha", "check": "iteration"},
        result="health",
    )
    wf.node(
        "judge",
        "set_state",
        "Count consecutive failures",
        parent="probe",
        assignments=[
            {"target": "state.checks", "value": "state.checks + 1"},
            {"target": "state.health", "value": "state.health[-19:] + [health]"},
            {
                "target": "state.consecutive_failures",
                "value": "0 if health.healthy else state.consecutive_failures + 1",
            },
            {
                "target": "state.failed_checks",
                "value": "state.failed_checks + (0 if health.healthy else 1)",
            },
        ],
    )
    if production:
        wf.node(
            "spike",
            "set_state",
            "Error rate spike?",
            parent="probe",
            assignments=[
                {"target": "spiked", "value": "health.error_rate > 3 * state.baseline_error_rate"},
                {
                    "target": "state.rollback_requested",
                    "value": "state.rollback_requested or spiked",
                },
                {
                    "target": "state.rollback_reason",
                    "value": "f'error rate {health.error_rate} above 3x the baseline' if spiked "
                    "else state.rollback_reason",
                },
            ],
        )
        wf.chain("check", "judge", "spike")
    else:
        wf.chain("check", "judge")
    wf.node(
        "probe_failed",
        "set_state",
        "Failed check",
        parent="monitor",
        assignments=[
            {"target": "state.checks", "value": "state.checks + 1"},
            {"target": "state.consecutive_failures", "value": "state.consecutive_failures + 1"},
            {"target": "state.failed_checks", "value": "state.failed_checks + 1"},
            {"target": "state.last_error", "value": "error"},
        ],
    )
    wf.edge("interval", "probe", "timeout")
    wf.edge("probe", "probe_failed", "error")
    wf.chain("release", "monitor")
    wf.chain("deploy_failed", "monitor")
    wf.node(
        "roll_back",
        "condition",
        "Roll back?",
        expression="state.rollback_requested or state.consecutive_failures >= 3",
    )
    wf.chain("monitor", "roll_back")
    result = (
        "DeploymentResult(deployed={deployed}, deployment_id=state.deployment_id, "
        "health_validated={healthy}, uat_passed={uat}, rollback_triggered={rolled}, "
        "rollback_reason=state.rollback_reason, checks=state.checks, "
        "failed_checks=state.failed_checks)"
    )
    # rollback
    wf.node(
        "rollback_status",
        "set_state",
        "Rolling back",
        assignments=[
            {"target": "state.status", "value": "'rolling back'"},
            {
                "target": "state.rollback_reason",
                "value": "state.rollback_reason or f'{state.consecutive_failures} consecutive "
                "failed health checks (last: {state.last_error})'",
            },
        ],
    )
    wf.node(
        "was_deployed",
        "condition",
        "Deployed? (a failed deploy was undone already)",
        expression="state.deployment_id != ''",
    )
    rollback_steps: list[str] = []
    if production:
        wf.node("rollback", "phase", "Rollback sequence")
        steps = [
            (
                "down_migrations",
                "1. Roll back database migration",
                "rollback_migrations",
                {"environment": env, "backup_id": "state.backup_id"},
            ),
            (
                "revert_code",
                "2. Roll back code to previous SHA",
                "rollback_code_to_commit",
                {"branch": "input.branch", "previous_sha": "input.previous_sha"},
            ),
            (
                "redeploy",
                "3. Re-deploy previous version",
                "redeploy_previous_version",
                {"environment": env, "commit_sha": "input.previous_sha"},
            ),
            (
                "verify_rollback",
                "4. Verify rollback",
                "verify_rollback",
                {"deployment_id": "previous.deployment_id"},
            ),
            (
                "recovery",
                "5. Monitor recovery",
                "monitor_health",
                {"environment": env, "commit_sha": "input.previous_sha", "check": "0"},
            ),
        ]
        for node_id, label, activity, args in steps:
            extra = {"result": "previous"} if node_id == "redeploy" else {}
            wf.node(
                node_id,
                "activity",
                label,
                parent="rollback",
                activity=activity,
                args=args,
                **extra,
            )
            rollback_steps.append(node_id)
        wf.chain(*rollback_steps)
        wf.edge("was_deployed", "rollback", "true")
        after_rollback = "rollback"
    else:
        wf.node(
            "undeploy",
            "activity",
            "Roll back deployment",
            activity="rollback_deployment",
            args={"environment": env, "deployment_id": "state.deployment_id"},
        )
        wf.node(
            "down_migrations",
            "activity",
            "Roll back migrations",
            activity="rollback_migrations",
            args={"environment": env, "backup_id": "state.backup_id"},
        )
        wf.edge("was_deployed", "undeploy", "true")
        wf.chain("undeploy", "down_migrations")
        after_rollback = "down_migrations"
    wf.node(
        "document",
        "activity",
        "6. Document rollback reason" if production else "Document rollback",
        activity="document_rollback",
        args={"environment": env, "reason": "state.rollback_reason or 'manual rollback'"},
    )
    wf.node(
        "rolled_back",
        "set_state",
        "Rolled back",
        assignments=[
            {"target": "state.rollback_completed", "value": "True"},
            {"target": "state.status", "value": "'rolled back'"},
        ],
    )
    wf.node(
        "rollback_done",
        "end",
        "Rolled back",
        value=result.format(deployed="False", healthy="False", uat="False", rolled="True"),
    )
    wf.edge("roll_back", "rollback_status", "true")
    wf.chain("rollback_status", "was_deployed")
    wf.edge("was_deployed", "document", "false")
    wf.chain(after_rollback, "document", "rolled_back", "rollback_done")
    # healthy path
    wf.node(
        "uat",
        "activity",
        f"run{environment.capitalize()}UAT",
        activity="run_uat",
        args={"environment": env, "deployment_id": "state.deployment_id"},
        result="uat",
    )
    wf.node(
        "validate",
        "agent",
        f"validate{environment.capitalize()}",
        activity="validate_environment",
        prompt=f"Validate the {environment} evidence of {{state.deployment_id}}: "
        "{state.checks} health checks, {state.failed_checks} failed, UAT "
        "{uat.journeys} journeys, failed {uat.failed_journeys}",
    )
    tail = ["uat", "validate"]
    if production:
        wf.node(
            "dashboards",
            "activity",
            "setupMonitoring",
            activity="setup_monitoring",
            args={"deployment_id": "state.deployment_id"},
        )
        tail.append("dashboards")
    wf.node(
        "live",
        "set_state",
        "Validated",
        assignments=[{"target": "state.status", "value": "'validated'"}],
    )
    wf.node(
        "validated",
        "end",
        "Deployed and validated",
        value=result.format(deployed="True", healthy="True", uat="uat.passed", rolled="False"),
    )
    wf.edge("roll_back", "uat", "false")
    wf.chain(*tail, "live", "validated")
    # handlers
    wf.node(
        "trigger", "signal", "triggerRollback", name="triggerRollback", params={"reason": "str"}
    )
    wf.node(
        "request_rollback",
        "set_state",
        "Request rollback",
        assignments=[
            {"target": "state.rollback_requested", "value": "True"},
            {"target": "state.rollback_reason", "value": "f'manual rollback: {payload.reason}'"},
        ],
    )
    wf.chain("trigger", "request_rollback")
    wf.node(
        "extend", "signal", "extendMonitoring", name="extendMonitoring", params={"checks": "int"}
    )
    wf.node(
        "extend_checks",
        "set_state",
        "Extend monitoring",
        assignments=[
            {
                "target": "state.planned_checks",
                "value": "state.planned_checks + max(0, payload.checks)",
            }
        ],
    )
    wf.chain("extend", "extend_checks")
    wf.node(
        "deployment_status",
        "query",
        "getDeploymentStatus",
        name="getDeploymentStatus",
        returns="dict[str, Any]",
        value="{'status': state.status, 'deployment_id': state.deployment_id, "
        "'checks': state.checks, 'planned_checks': state.planned_checks, "
        "'consecutive_failures': state.consecutive_failures, "
        "'rollback_requested': state.rollback_requested}",
    )
    wf.node(
        "health_metrics",
        "query",
        "getHealthMetrics",
        name="getHealthMetrics",
        returns="list[HealthCheck]",
        value="state.health",
    )
    if production:
        wf.node(
            "rollback_status_query",
            "query",
            "getRollbackStatus",
            name="getRollbackStatus",
            returns="dict[str, Any]",
            value="{'previous_sha': input.previous_sha, 'backup_id': state.backup_id, "
            "'rollback_requested': state.rollback_requested, "
            "'rollback_completed': state.rollback_completed, 'reason': state.rollback_reason}",
        )
    return wf


# production readiness


def _production_readiness(scale: float) -> WorkflowBuilder:
    wf = WorkflowBuilder(
        "production-readiness",
        "Production readiness",
        "Validates every gate against the evidence of all phases, computes the readiness "
        "score (0-100) and waits for an explicit production approval: 72 h, then it rejects "
        "(safety first, never auto-approves). A failing critical gate blocks the approval.",
        input={
            "requirement_id": "str",
            "tests_passed": "bool",
            "coverage": "float",
            "critical_findings": "int",
            "review_approved": "bool",
            "staging_healthy": "bool",
            "uat_passed": "bool",
            "orchestrator_id": "str",
        },
        output="ReadinessResult",
        state=[
            {"name": "gates", "type": "list[GateResult]"},
            {"name": "readiness_score", "type": "float"},
            {"name": "evidence_rounds", "type": "int"},
            {"name": "evidence_requests", "type": "list[str]"},
            {"name": "decision", "type": "str"},
            {"name": "decided_by", "type": "str"},
            {"name": "rejection_reason", "type": "str"},
        ],
    )
    signals = ["approveProduction", "rejectProduction", "requestMoreEvidence"]
    wf.node("start", "start", "Evidence of all phases")
    wf.node("validate", "parallel", "Validate gates", mode="all")
    wf.node(
        "gate_agent",
        "agent",
        "validateAllGates",
        activity="validate_all_gates",
        prompt="Validate the production gates of {input.requirement_id}: zero P0/P1 bugs, "
        "performance within SLAs, migrations tested with rollback.",
        result="gate_review",
    )
    wf.node(
        "agent_gates",
        "set_state",
        "Agent-validated gates",
        assignments=[
            {
                "target": "state.gates",
                "value": "state.gates + ["
                "GateResult(name='zero P0/P1 bugs', passed=gate_review.p0_p1_bugs == 0, "
                "value=float(gate_review.p0_p1_bugs), threshold=0.0, critical=True, "
                "detail=gate_review.notes), "
                "GateResult(name='performance meets SLAs', passed=gate_review.performance_ok, "
                "value=1.0 if gate_review.performance_ok else 0.0, threshold=1.0, "
                "critical=True, detail=gate_review.notes), "
                "GateResult(name='migrations tested with rollback', "
                "passed=gate_review.migrations_tested, "
                "value=1.0 if gate_review.migrations_tested else 0.0, threshold=1.0, "
                "critical=True, detail=gate_review.notes)]",
            }
        ],
    )
    wf.node(
        "documentation",
        "activity",
        "checkDocumentation",
        activity="check_documentation",
        args={
            "requirement_id": "input.requirement_id",
            "name": "'documentation updated'",
            "detail": "'docs changed in this release'",
        },
        result="documentation",
    )
    wf.node(
        "documentation_gate",
        "set_state",
        "Documentation gate",
        assignments=[{"target": "state.gates", "value": "state.gates + [documentation]"}],
    )
    wf.node(
        "monitoring",
        "activity",
        "checkMonitoring",
        activity="check_monitoring",
        args={
            "requirement_id": "input.requirement_id",
            "name": "'monitoring configured'",
            "detail": "'dashboards and alerts exist'",
        },
        result="monitoring",
    )
    wf.node(
        "monitoring_gate",
        "set_state",
        "Monitoring gate",
        assignments=[{"target": "state.gates", "value": "state.gates + [monitoring]"}],
    )
    wf.node("validated", "join", "Gates validated")
    wf.node(
        "evidence_gates",
        "set_state",
        "Gates from earlier phases; readiness score",
        assignments=[
            {
                "target": "state.gates",
                "value": "state.gates + ["
                "GateResult(name='test coverage >95% (critical paths)', "
                "passed=input.coverage >= 95, value=input.coverage, threshold=95.0, "
                "critical=True, detail='testing phase'), "
                "GateResult(name='security scan clean', passed=input.critical_findings == 0, "
                "value=float(input.critical_findings), threshold=0.0, critical=True, "
                "detail='no high or critical findings'), "
                "GateResult(name='all tests passed', passed=input.tests_passed, "
                "value=1.0 if input.tests_passed else 0.0, threshold=1.0, critical=True, "
                "detail='testing phase'), "
                "GateResult(name='code review approved', passed=input.review_approved, "
                "value=1.0 if input.review_approved else 0.0, threshold=1.0, critical=True, "
                "detail='development phase'), "
                "GateResult(name='staging healthy', passed=input.staging_healthy, "
                "value=1.0 if input.staging_healthy else 0.0, threshold=1.0, critical=True, "
                "detail='staging phase'), "
                "GateResult(name='staging UAT 100% pass', passed=input.uat_passed, "
                "value=1.0 if input.uat_passed else 0.0, threshold=1.0, critical=False, "
                "detail='staging phase')]",
            },
            {
                "target": "state.readiness_score",
                "value": "round(100 * len([g for g in state.gates if g.passed]) "
                "/ max(1, len(state.gates)), 1)",
            },
        ],
    )
    wf.node(
        "collect",
        "activity",
        "collectAllEvidence",
        activity="collect_all_evidence",
        args={"requirement_id": "input.requirement_id", "round": "state.evidence_rounds"},
    )
    wf.node(
        "report",
        "activity",
        "generateReadinessReport",
        activity="generate_readiness_report",
        args={"requirement_id": "input.requirement_id", "score": "state.readiness_score"},
    )
    wf.node(
        "critical",
        "condition",
        "A critical gate fails?",
        expression="any(g.critical and not g.passed for g in state.gates)",
    )
    wf.node(
        "blocked",
        "end",
        "Blocked by a critical gate",
        value="ReadinessResult(approved=False, decision='blocked', decided_by='gates', "
        "readiness_score=state.readiness_score, gates=state.gates, "
        "rejection_reason='critical gates fail: ' + "
        "str([g.name for g in state.gates if g.critical and not g.passed]))",
    )
    open_first, open_last = _report_gate(
        wf,
        "report_open",
        "Report gate opened",
        _gate("production approval", "production-readiness", signals, "72h", "'pending'", "''"),
    )
    wf.node(
        "decide",
        "loop",
        "Until approved or rejected",
        mode="while",
        condition="state.decision not in ('approved', 'rejected')",
        max_iterations=10,
    )
    wf.node(
        "approval",
        "wait",
        "Production approval (72 h)",
        parent="decide",
        gate="production approval",
        approved_when="state.decision == 'approved'",
        rejected_when="state.decision in ('rejected', 'more_evidence')",
        timeout=duration(3 * 86400, scale),
    )
    wf.node(
        "more",
        "condition",
        "More evidence requested?",
        parent="decide",
        expression="state.decision == 'more_evidence'",
    )
    wf.node(
        "recollect",
        "activity",
        "collectAllEvidence (again)",
        parent="decide",
        activity="collect_all_evidence",
        args={"requirement_id": "input.requirement_id", "round": "state.evidence_rounds"},
    )
    wf.node(
        "reopen",
        "set_state",
        "Reopen the gate",
        parent="decide",
        assignments=[
            {"target": "state.evidence_rounds", "value": "state.evidence_rounds + 1"},
            {"target": "state.decision", "value": "''"},
        ],
    )
    wf.node(
        "auto_reject",
        "set_state",
        "Auto-reject after 72 h",
        parent="decide",
        assignments=[
            {"target": "state.decision", "value": "'rejected'"},
            {"target": "state.decided_by", "value": "'timeout'"},
            {"target": "state.rejection_reason", "value": "'no approval within 72 hours'"},
        ],
    )
    wf.edge("approval", "more", "rejected")
    wf.edge("more", "reopen", "true")
    wf.chain("reopen", "recollect")
    wf.edge("approval", "auto_reject", "timeout")
    close_first, close_last = _report_gate(
        wf,
        "report_closed",
        "Report gate decided",
        _gate(
            "production approval",
            "production-readiness",
            signals,
            "72h",
            "state.decision",
            "state.decided_by",
        ),
    )
    wf.node(
        "decided",
        "end",
        "Decided",
        value="ReadinessResult(approved=state.decision == 'approved', decision=state.decision, "
        "decided_by=state.decided_by, readiness_score=state.readiness_score, gates=state.gates, "
        "rejection_reason=state.rejection_reason)",
    )
    wf.chain("start", "validate")
    for head, tail in (
        ("gate_agent", "agent_gates"),
        ("documentation", "documentation_gate"),
        ("monitoring", "monitoring_gate"),
    ):
        wf.edge("validate", head, "branch")
        wf.chain(head, tail, "validated")
    wf.chain("validated", "evidence_gates", "collect", "report", "critical")
    wf.edge("critical", "blocked", "true")
    wf.edge("critical", open_first, "false")
    wf.edge(open_first, "decide", "false")
    wf.chain(open_last, "decide", close_first)
    wf.edge(close_first, "decided", "false")
    wf.chain(close_last, "decided")

    _decision_signal(
        wf,
        "approve",
        "approveProduction",
        "approveProduction",
        {"approver": "str"},
        [("state.decision", "'approved'"), ("state.decided_by", "payload.approver")],
        READINESS_OPEN,
    )
    _decision_signal(
        wf,
        "reject",
        "rejectProduction",
        "rejectProduction",
        {"approver": "str", "reason": "str"},
        [
            ("state.decision", "'rejected'"),
            ("state.decided_by", "payload.approver"),
            ("state.rejection_reason", "payload.reason"),
        ],
        READINESS_OPEN,
    )
    _decision_signal(
        wf,
        "more_evidence",
        "requestMoreEvidence",
        "requestMoreEvidence",
        {"requester": "str", "note": "str"},
        [
            ("state.decision", "'more_evidence'"),
            ("state.evidence_requests", "state.evidence_requests + [payload.note]"),
        ],
        READINESS_OPEN,
    )
    wf.node(
        "gate_status",
        "query",
        "getGateStatus",
        name="getGateStatus",
        returns="list[GateResult]",
        value="state.gates",
    )
    wf.node(
        "evidence_summary",
        "query",
        "getEvidenceSummary",
        name="getEvidenceSummary",
        returns="dict[str, Any]",
        value="{'passed': [g.name for g in state.gates if g.passed], "
        "'failing': [g.name for g in state.gates if not g.passed], "
        "'evidence_rounds': state.evidence_rounds, 'requests': state.evidence_requests}",
    )
    wf.node(
        "readiness_score",
        "query",
        "getReadinessScore",
        name="getReadinessScore",
        returns="float",
        value="state.readiness_score",
    )
    return wf


# the orchestrator


def _outcome(status: str) -> str:
    return (
        f"FeatureOutcome(status={status!r}, requirement_id=state.requirement_id, "
        "branch=state.branch, commit_sha=state.commit_sha, "
        "staging_deployment_id=state.staging_deployment_id, "
        "production_deployment_id=state.production_deployment_id, "
        "readiness_score=state.readiness_score, completed_phases=state.completed_phases, "
        "rollback_triggered=state.rollback_triggered)"
    )


def _entry(phase: str, event: str) -> str:
    return f"TimelineEntry(at=str(now), phase={phase!r}, event={event})"


def _orchestrator(scale: float) -> WorkflowBuilder:
    wf = WorkflowBuilder(
        ORCHESTRATOR,
        "Feature development orchestrator",
        "A feature from intake to production: seven phases, each a child workflow, entered "
        "only while not paused and without blockers. The children's approval gates are listed "
        "by getApprovalGates. An emergency stop ends the pipeline at the next phase, and rolls "
        "a running production deployment back at once.",
        input={
            "feature_request": "str",
            "feature_slug": "str",
            "requester_id": "str",
            "project_id": "str",
            "repository_url": "str",
            "base_branch": "str",
            "priority": "str",
            "target_environment": "str",
            "auto_approve": "bool",
        },
        output="FeatureOutcome",
        state=[
            {"name": "phase", "type": "str", "default": "intake"},
            {"name": "priority", "type": "str"},
            {"name": "paused", "type": "bool"},
            {"name": "emergency_stop", "type": "bool"},
            {"name": "stop_reason", "type": "str"},
            {"name": "blockers", "type": "list[str]"},
            {"name": "requirement_id", "type": "str"},
            {"name": "tasks", "type": "list[DevTask]"},
            {"name": "intake_decision", "type": "str"},
            {"name": "branch", "type": "str"},
            {"name": "commit_sha", "type": "str"},
            {"name": "development_complete", "type": "bool"},
            {"name": "tests_passed", "type": "bool"},
            {"name": "coverage", "type": "float"},
            {"name": "critical_findings", "type": "int"},
            {"name": "review_approved", "type": "bool"},
            {"name": "staging_deployment_id", "type": "str"},
            {"name": "staging_healthy", "type": "bool"},
            {"name": "uat_passed", "type": "bool"},
            {"name": "readiness_score", "type": "float"},
            {"name": "production_approved", "type": "bool"},
            {"name": "production_deployment_id", "type": "str"},
            {"name": "production_deployed", "type": "bool"},
            {"name": "production_done", "type": "bool"},
            {"name": "rollback_triggered", "type": "bool"},
            {"name": "gates", "type": "list[ApprovalGate]"},
            {"name": "timeline", "type": "list[TimelineEntry]"},
            {"name": "completed_phases", "type": "list[str]"},
        ],
        settings={"id_template": "feature-{input.feature_slug}"},
    )
    wf.node("start", "start", "Feature request")
    wf.node(
        "init",
        "set_state",
        "Start the timeline",
        assignments=[
            {"target": "state.priority", "value": "input.priority"},
            {
                "target": "state.timeline",
                "value": "["
                + _entry("intake", "f'requested by {input.requester_id} ({input.priority})'")
                + "]",
            },
        ],
    )
    wf.node(
        "announce",
        "activity",
        "notifyStakeholders: started",
        activity="notify_stakeholders",
        args={
            "event": "'feature started'",
            "message": "f'{input.feature_request} ({input.priority})'",
        },
    )
    wf.chain("start", "init", "announce")

    def phase(
        key: str,
        label: str,
        name: str,
        child: str,
        args: dict[str, str],
        result: str,
        record: list[tuple[str, str]],
    ) -> None:
        """A phase: clear to proceed? -> enter -> log -> child -> record."""
        wf.node(key, "phase", label)
        wf.node(
            f"{key}_clear",
            "wait",
            "Clear to proceed? (not paused, no blockers)",
            parent=key,
            gate=f"clear to enter {name}",
            approved_when="not state.emergency_stop and not state.paused and not state.blockers",
            rejected_when="state.emergency_stop",
        )
        wf.node(
            f"{key}_stopped",
            "fail",
            "Emergency stop",
            parent=key,
            message=f"emergency stop before {name}: {{state.stop_reason}}",
            error_type="EmergencyStop",
        )
        wf.node(
            f"{key}_enter",
            "set_state",
            f"Enter {name}",
            parent=key,
            assignments=[
                {"target": "state.phase", "value": repr(name)},
                {
                    "target": "state.timeline",
                    "value": f"state.timeline + [{_entry(name, repr('started'))}]",
                },
            ],
        )
        wf.node(
            f"{key}_log",
            "activity",
            "logPhaseTransition",
            parent=key,
            activity="log_phase_transition",
            args={"requirement_id": "state.requirement_id", "phase": repr(name)},
        )
        wf.node(
            f"{key}_child",
            "child_workflow",
            label + "Workflow" if not label.endswith("Workflow") else label,
            parent=key,
            workflow=child,
            args=args,
            id_template="{workflow_id}-" + name,
            result=result,
        )
        wf.node(
            f"{key}_record",
            "set_state",
            f"Record {name}",
            parent=key,
            assignments=[{"target": t, "value": v} for t, v in record]
            + [
                {
                    "target": "state.timeline",
                    "value": f"state.timeline + [{_entry(name, repr('completed'))}]",
                },
                {
                    "target": "state.completed_phases",
                    "value": f"state.completed_phases + [{name!r}]",
                },
            ],
        )
        wf.edge(f"{key}_clear", f"{key}_stopped", "rejected")
        wf.edge(f"{key}_clear", f"{key}_enter", "approved")
        wf.chain(f"{key}_enter", f"{key}_log", f"{key}_child", f"{key}_record")

    def stop_if(
        key: str, label: str, expression: str, status: str, after: str, port: str = "out"
    ) -> None:
        """A condition after a phase: when it holds, notify and end; else go on (`false`)."""
        wf.node(key, "condition", label, expression=expression)
        wf.node(
            f"{key}_notify",
            "activity",
            f"notifyStakeholders: {status}",
            activity="notify_stakeholders",
            args={"event": repr(status), "message": "input.feature_request"},
        )
        wf.node(f"{key}_end", "end", status.capitalize(), value=_outcome(status))
        wf.edge(after, key, port)
        wf.edge(key, f"{key}_notify", "true")
        wf.chain(f"{key}_notify", f"{key}_end")

    phase(
        "intake",
        "RequirementIntake",
        "intake",
        "requirement-intake",
        {
            "feature_request": "input.feature_request",
            "requester_id": "input.requester_id",
            "project_id": "input.project_id",
            "auto_approve": "input.auto_approve",
            "orchestrator_id": "workflow_id",
        },
        "intake",
        [
            ("state.requirement_id", "intake.requirement_id"),
            ("state.tasks", "intake.tasks"),
            ("state.intake_decision", "intake.decision"),
        ],
    )
    wf.chain("announce", "intake")
    stop_if(
        "intake_ok",
        "Requirement not approved?",
        "state.intake_decision != 'approved'",
        "rejected at intake",
        "intake",
    )
    phase(
        "planning",
        "TaskPlanning",
        "planning",
        "task-planning",
        {
            "requirement_id": "state.requirement_id",
            "tasks": "state.tasks",
            "auto_approve": "input.auto_approve",
            "orchestrator_id": "workflow_id",
        },
        "plan",
        [("state.tasks", "plan.tasks")],
    )
    wf.edge("intake_ok", "planning", "false")
    phase(
        "development",
        "Development",
        "development",
        "development",
        {
            "requirement_id": "state.requirement_id",
            "tasks": "state.tasks",
            "feature_slug": "input.feature_slug",
            "base_branch": "input.base_branch",
        },
        "development",
        [
            ("state.branch", "development.branch"),
            ("state.commit_sha", "development.commit_sha"),
            ("state.development_complete", "development.all_tasks_complete"),
            ("state.review_approved", "development.review_approved"),
        ],
    )
    wf.chain("planning", "development")
    stop_if(
        "development_ok",
        "Tasks incomplete or review not approved?",
        "not (state.development_complete and state.review_approved)",
        "development incomplete",
        "development",
    )
    phase(
        "testing",
        "Testing",
        "testing",
        "testing",
        {
            "branch": "state.branch",
            "commit_sha": "state.commit_sha",
            "test_types": repr(TEST_TYPES),
        },
        "testing",
        [
            ("state.tests_passed", "testing.all_passed"),
            ("state.coverage", "testing.coverage"),
            ("state.critical_findings", "testing.critical_findings"),
        ],
    )
    wf.edge("development_ok", "testing", "false")
    stop_if("testing_ok", "Tests failing?", "not state.tests_passed", "tests failed", "testing")
    phase(
        "staging",
        "StagingDeployment",
        "staging",
        "staging-deployment",
        {"branch": "state.branch", "commit_sha": "state.commit_sha"},
        "staging",
        [
            ("state.staging_deployment_id", "staging.deployment_id"),
            ("state.staging_healthy", "staging.deployed and staging.health_validated"),
            ("state.uat_passed", "staging.uat_passed"),
            ("state.rollback_triggered", "staging.rollback_triggered"),
        ],
    )
    wf.edge("testing_ok", "staging", "false")
    stop_if(
        "staging_ok",
        "Staging unhealthy or UAT failed?",
        "not (state.staging_healthy and state.uat_passed)",
        "staging rolled back",
        "staging",
    )
    stop_if(
        "to_production",
        "Staging is the target?",
        "input.target_environment != 'production'",
        "staged",
        "staging_ok",
        "false",
    )
    phase(
        "readiness",
        "ProductionReadiness",
        "production-readiness",
        "production-readiness",
        {
            "requirement_id": "state.requirement_id",
            "tests_passed": "state.tests_passed",
            "coverage": "state.coverage",
            "critical_findings": "state.critical_findings",
            "review_approved": "state.review_approved",
            "staging_healthy": "state.staging_healthy",
            "uat_passed": "state.uat_passed",
            "orchestrator_id": "workflow_id",
        },
        "readiness",
        [
            ("state.readiness_score", "readiness.readiness_score"),
            ("state.production_approved", "readiness.approved"),
        ],
    )
    wf.edge("to_production", "readiness", "false")
    stop_if(
        "readiness_ok",
        "Production not approved?",
        "not state.production_approved",
        "production rejected",
        "readiness",
    )
    # production: the deployment child runs beside a watch that turns an emergency stop into
    # the child's own rollback (signalled from the main flow, never from a handler)
    wf.node("production", "phase", "ProductionDeployment")
    wf.node(
        "production_clear",
        "wait",
        "Clear to proceed? (not paused, no blockers)",
        parent="production",
        gate="clear to enter production",
        approved_when="not state.emergency_stop and not state.paused and not state.blockers",
        rejected_when="state.emergency_stop",
    )
    wf.node(
        "production_stopped",
        "fail",
        "Emergency stop",
        parent="production",
        message="emergency stop before production: {state.stop_reason}",
        error_type="EmergencyStop",
    )
    wf.node(
        "production_enter",
        "set_state",
        "Enter production",
        parent="production",
        assignments=[
            {"target": "state.phase", "value": "'production'"},
            {
                "target": "state.timeline",
                "value": f"state.timeline + [{_entry('production', repr('started'))}]",
            },
        ],
    )
    wf.node(
        "production_log",
        "activity",
        "logPhaseTransition",
        parent="production",
        activity="log_phase_transition",
        args={"requirement_id": "state.requirement_id", "phase": "'production'"},
    )
    wf.node(
        "production_baseline",
        "activity",
        "getDeployedSha (what a rollback returns to)",
        parent="production",
        activity="get_deployed_sha",
        args={"environment": "'production'"},
        result="running_sha",
    )
    wf.node(
        "production_watch",
        "parallel",
        "Deploy, watching for an emergency stop",
        parent="production",
        mode="all",
    )
    wf.node(
        "production_child",
        "child_workflow",
        "ProductionDeploymentWorkflow",
        parent="production",
        workflow="production-deployment",
        args={
            "branch": "state.branch",
            "commit_sha": "state.commit_sha",
            "previous_sha": "running_sha",
        },
        id_template="{workflow_id}-production",
        result="production",
    )
    wf.node(
        "production_record",
        "set_state",
        "Record production",
        parent="production",
        assignments=[
            {"target": "state.production_deployment_id", "value": "production.deployment_id"},
            {"target": "state.production_deployed", "value": "production.deployed"},
            {
                "target": "state.rollback_triggered",
                "value": "state.rollback_triggered or production.rollback_triggered",
            },
            {"target": "state.production_done", "value": "True"},
            {
                "target": "state.timeline",
                "value": "state.timeline + ["
                + _entry("production", "production.rollback_reason or 'completed'")
                + "]",
            },
            {
                "target": "state.completed_phases",
                "value": "state.completed_phases + ['production']",
            },
        ],
    )
    wf.node(
        "stop_watch",
        "wait",
        "Emergency stop while deploying?",
        parent="production",
        gate="emergency stop watch (production)",
        approved_when="state.emergency_stop and not state.production_done",
        rejected_when="state.production_done",
    )
    wf.node("stop_send", "try", "Tell the deployment", parent="production")
    wf.node(
        "stop_rollback",
        "signal_external",
        "triggerRollback",
        parent="stop_send",
        child="production_child",
        signal="triggerRollback",
        workflow="production-deployment",
        args={"reason": "f'emergency stop: {state.stop_reason}'"},
    )
    wf.node(
        "stop_missed",
        "set_state",
        "Deployment already finished",
        parent="production",
        assignments=[
            {
                "target": "state.timeline",
                "value": "state.timeline + ["
                + _entry("production", "'emergency stop not delivered: ' + error")
                + "]",
            }
        ],
    )
    wf.node("production_joined", "join", "Deployment finished", parent="production")
    wf.edge("production_clear", "production_stopped", "rejected")
    wf.edge("production_clear", "production_enter", "approved")
    wf.chain("production_enter", "production_log", "production_baseline", "production_watch")
    wf.edge("production_watch", "production_child", "branch")
    wf.edge("production_watch", "stop_watch", "branch")
    wf.chain("production_child", "production_record", "production_joined")
    wf.edge("stop_watch", "stop_send", "approved")
    wf.edge("stop_watch", "production_joined", "rejected")
    wf.edge("stop_send", "stop_missed", "error")
    wf.edge("stop_send", "production_joined")
    wf.edge("stop_missed", "production_joined")
    wf.edge("readiness_ok", "production", "false")
    stop_if(
        "production_ok",
        "Rolled back?",
        "not state.production_deployed",
        "rolled back",
        "production",
    )
    wf.node(
        "shipped_notify",
        "activity",
        "notifyStakeholders: deployed",
        activity="notify_stakeholders",
        args={"event": "'deployed'", "message": "input.feature_request"},
    )
    wf.node(
        "shipped",
        "set_state",
        "Complete",
        assignments=[
            {"target": "state.phase", "value": "'complete'"},
            {
                "target": "state.timeline",
                "value": f"state.timeline + [{_entry('complete', repr('deployed to production'))}]",
            },
        ],
    )
    wf.node("done", "end", "Deployed", value=_outcome("deployed"))
    wf.edge("production_ok", "shipped_notify", "false")
    wf.chain("shipped_notify", "shipped", "done")

    # control signals
    def control(
        key: str, name: str, params: dict[str, str], assignments: list[tuple[str, str]]
    ) -> None:
        wf.node(key, "signal", name, name=name, params=params)
        wf.node(
            f"{key}_apply",
            "set_state",
            f"Apply {name}",
            assignments=[{"target": t, "value": v} for t, v in assignments],
        )
        wf.chain(key, f"{key}_apply")

    def noted(event: str) -> tuple[str, str]:
        return (
            "state.timeline",
            f"state.timeline + [TimelineEntry(at=str(now), phase=state.phase, event={event})]",
        )

    control(
        "pause",
        "pauseOrchestrator",
        {"reason": "str"},
        [("state.paused", "True"), noted("'paused: ' + payload.reason")],
    )
    control(
        "resume",
        "resumeOrchestrator",
        {},
        [("state.paused", "False"), noted("'resumed'")],
    )
    control(
        "stop",
        "emergencyStop",
        {"reason": "str"},
        [
            ("state.emergency_stop", "True"),
            ("state.stop_reason", "payload.reason"),
            noted("'emergency stop: ' + payload.reason"),
        ],
    )
    control(
        "add_blocker",
        "addBlocker",
        {"blocker": "str"},
        [
            (
                "state.blockers",
                "state.blockers + [payload.blocker] if payload.blocker not in state.blockers "
                "else state.blockers",
            ),
            noted("'blocked: ' + payload.blocker"),
        ],
    )
    control(
        "remove_blocker",
        "removeBlocker",
        {"blocker": "str"},
        [
            ("state.blockers", "[b for b in state.blockers if b != payload.blocker]"),
            noted("'unblocked: ' + payload.blocker"),
        ],
    )
    wf.node(
        "priority", "signal", "updatePriority", name="updatePriority", params={"priority": "str"}
    )
    wf.node(
        "priority_valid",
        "condition",
        "Known priority?",
        expression="payload.priority in ('low', 'medium', 'high', 'critical')",
    )
    wf.node(
        "priority_apply",
        "set_state",
        "Change priority",
        assignments=[
            {"target": "state.priority", "value": "payload.priority"},
            dict(zip(("target", "value"), noted("'priority: ' + payload.priority"), strict=True)),
        ],
    )
    wf.node(
        "priority_ignored",
        "set_state",
        "Record and ignore",
        assignments=[
            dict(
                zip(
                    ("target", "value"),
                    noted("'ignored unknown priority: ' + payload.priority"),
                    strict=True,
                )
            )
        ],
    )
    wf.chain("priority", "priority_valid")
    wf.edge("priority_valid", "priority_apply", "true")
    wf.edge("priority_valid", "priority_ignored", "false")
    wf.node(
        "gate_changed",
        "signal",
        "approvalGateChanged (from a child)",
        name="approvalGateChanged",
        params={"gate": "ApprovalGate"},
    )
    wf.node(
        "gate_upsert",
        "set_state",
        "Record the gate",
        assignments=[
            {
                "target": "state.gates",
                "value": "[g for g in state.gates if g.name != payload.gate.name] + [payload.gate]",
            }
        ],
    )
    wf.chain("gate_changed", "gate_upsert")
    wf.node(
        "status",
        "query",
        "getStatus",
        name="getStatus",
        returns="dict[str, Any]",
        value="{'phase': state.phase, 'priority': state.priority, 'paused': state.paused, "
        "'emergency_stop': state.emergency_stop, 'blockers': state.blockers, "
        f"'completed_phases': state.completed_phases, 'total_phases': {len(PHASES)}, "
        "'requirement_id': state.requirement_id, 'branch': state.branch, "
        "'pending_gates': [g.name for g in state.gates if g.status == 'pending']}",
    )
    wf.node(
        "timeline",
        "query",
        "getTimeline",
        name="getTimeline",
        returns="list[TimelineEntry]",
        value="state.timeline",
    )
    wf.node(
        "approval_gates",
        "query",
        "getApprovalGates",
        name="getApprovalGates",
        returns="list[ApprovalGate]",
        value="[g for g in state.gates if g.status == 'pending']",
    )
    return wf


def build(
    project_id: str = PROJECT_ID, *, time_scale: float = 1.0, health_checks: int | None = None
) -> dict[str, Any]:
    """The Feature Development Pipeline project.

    `time_scale` multiplies every duration of the graph (gate timeouts, monitoring intervals,
    backoff, retry intervals); 1.0 keeps the real ones. `health_checks` overrides how many
    checks a monitoring window holds (staging 10: 5 minutes every 30 s; production 40: 10
    minutes every 15 s): every timer costs a round trip to the server, however short.
    """
    return project(
        project_id,
        "Feature Development Pipeline",
        "A feature from requirement intake to production: approval gates with timeouts, "
        "dependency-aware task execution with retries and an alternative agent, parallel "
        "testing, staging and production deployments with health monitoring and rollback.",
        task_queue=project_id,
        types=_types(),
        activities=_activities(time_scale),
        workflows=[
            _orchestrator(time_scale),
            _requirement_intake(time_scale),
            _task_planning(time_scale),
            _development(time_scale),
            _task_execution(time_scale),
            _code_review(time_scale),
            _testing(time_scale),
            _deployment(time_scale, "staging", health_checks),
            _production_readiness(time_scale),
            _deployment(time_scale, "production", health_checks),
        ],
    )
