"""Visibility queries are built from checked values only: a task queue or workflow type that is
not an id, or a status Temporal does not have, is refused, never quoted into the query."""

from __future__ import annotations

import pytest

from backend.runtime.temporal import VISIBILITY_STATUSES, visibility_query


def test_a_query_names_the_task_queue_type_and_status_asked_for() -> None:
    assert visibility_query("orders-v2") == "TaskQueue = 'orders-v2'"
    assert visibility_query("orders-v2", "ship-order", "Failed") == (
        "TaskQueue = 'orders-v2' AND WorkflowType = 'ship-order' AND ExecutionStatus = 'Failed'"
    )
    assert visibility_query("orders", running=True) == (
        "TaskQueue = 'orders' AND ExecutionStatus = 'Running'"
    )
    assert visibility_query("orders", running=False) == (
        "TaskQueue = 'orders' AND ExecutionStatus != 'Running'"
    )
    assert visibility_query("orders", build_id="0a1b2c3d4e5f6a7b") == (
        "TaskQueue = 'orders' AND TemporalWorkerDeploymentVersion = 'orders:0a1b2c3d4e5f6a7b'"
    )


@pytest.mark.parametrize(
    "hostile",
    [
        "q' OR TaskQueue != '",
        "orders' OR 1=1",
        "Orders",
        "",
        "orders\n",
        "orders--x",
    ],
)
def test_text_that_is_not_an_id_never_reaches_the_query(hostile: str) -> None:
    with pytest.raises(ValueError, match="not an id"):
        visibility_query(hostile)
    with pytest.raises(ValueError, match="not an id"):
        visibility_query("orders", workflow_type=hostile)
    with pytest.raises(ValueError, match="not an id"):
        visibility_query("orders", build_id=hostile)


def test_only_statuses_temporal_has_are_asked_for() -> None:
    assert "Running" in VISIBILITY_STATUSES
    with pytest.raises(ValueError, match="unknown execution status"):
        visibility_query("orders", status="Running' OR ExecutionStatus = 'Failed")
