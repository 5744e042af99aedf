"""Schemathesis against the server's own OpenAPI document: no 500, no answer off the schema."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import httpx

from tests.backend.live import LiveServer

SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
HELLO = json.loads((Path(__file__).parents[2] / "examples" / "hello.json").read_text())
CHECKS = [
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
]


def test_generated_requests_get_documented_answers(
    live_server: LiveServer, database_url: str, tmp_path: Path
) -> None:
    url = live_server.start(database_url)
    # the OpenAPI examples name this project, so the fuzzer reaches stored data, not only 404s
    assert httpx.post(f"{url}/api/import", json=HELLO).status_code == 201
    versions = f"{url}/api/projects/hello/workflows/greet/versions"
    assert httpx.post(versions, json={"message": "first"}).status_code == 201

    command = [
        str(SCHEMATHESIS),
        "run",
        f"{url}/openapi.json",
        "--checks",
        ",".join(CHECKS),
        "--phases",
        "examples,coverage,fuzzing",
        "--max-examples",
        "10",
        "--seed",
        "20251122",
        "--workers",
        "1",
        "--request-timeout",
        "30",
    ]
    run = subprocess.run(
        command, cwd=tmp_path, capture_output=True, text=True, timeout=300, check=False
    )
    report = run.stdout[-6000:] + run.stderr[-2000:]
    assert run.returncode == 0, f"{report}\n--- server log ---\n{live_server.log()[-6000:]}"
    assert " passed" in run.stdout, report
