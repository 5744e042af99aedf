"""Start and talk to the Dispatch project's workflows from the command line.

python -m dispatch.starter start WORKFLOW [--input JSON] [--id ID] [--wait]
python -m dispatch.starter signal WORKFLOW_ID NAME [--payload JSON]
python -m dispatch.starter query WORKFLOW_ID NAME
python -m dispatch.starter update WORKFLOW_ID NAME [--payload JSON]
python -m dispatch.starter cancel WORKFLOW_ID
python -m dispatch.starter result WORKFLOW_ID
"""

import argparse
import asyncio
import json
import os
import sys
import uuid
from collections.abc import Callable
from typing import Any

from temporalio.client import WorkflowFailureError
from temporalio.converter import value_to_type
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError

from dispatch.models import DispatchOrderInput
from dispatch.worker import connect, task_queue

WORKFLOW_IDS: dict[str, tuple[type[Any], Callable[[Any], str]]] = {
    "dispatch-order": (DispatchOrderInput, lambda input: "dispatch-order-" + str(uuid.uuid4())),
}


def _json(text: str | None) -> Any:
    return json.loads(text) if text else None


def _print(value: Any) -> None:
    print(json.dumps(value, indent=2, default=lambda o: getattr(o, "__dict__", str(o))))


async def run(arguments: argparse.Namespace) -> None:
    client = await connect()
    if arguments.command == "start":
        input_class, make_id = WORKFLOW_IDS[arguments.workflow]
        payload = value_to_type(input_class, _json(arguments.input) or {})
        workflow_id = arguments.id or make_id(payload)
        handle = await client.start_workflow(
            arguments.workflow, payload, id=workflow_id, task_queue=task_queue()
        )
        print(f"started {arguments.workflow} as {handle.id} (run {handle.result_run_id})")
        if arguments.wait:
            _print(await handle.result())
        return
    handle = client.get_workflow_handle(arguments.workflow_id)
    if arguments.command == "signal":
        payload = _json(arguments.payload)
        await handle.signal(arguments.name, *([payload] if payload is not None else []))
        print(f"signalled {arguments.name} to {handle.id}")
    elif arguments.command == "query":
        _print(await handle.query(arguments.name))
    elif arguments.command == "update":
        payload = _json(arguments.payload)
        _print(
            await handle.execute_update(arguments.name, *([payload] if payload is not None else []))
        )
    elif arguments.command == "cancel":
        await handle.cancel()
        print(f"asked {handle.id} to cancel")
    elif arguments.command == "result":
        _print(await handle.result())


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m dispatch.starter")
    commands = parser.add_subparsers(dest="command", required=True)
    start = commands.add_parser("start", help="start a workflow")
    start.add_argument("workflow", choices=sorted(WORKFLOW_IDS))
    start.add_argument("--input", help="the workflow's input as a JSON object")
    start.add_argument("--id", help="workflow id (default: from the workflow's id template)")
    start.add_argument("--wait", action="store_true", help="wait for and print the result")
    for name in ("signal", "update"):
        command = commands.add_parser(
            name, help=f"send an {name}" if name == "update" else "send a signal"
        )
        command.add_argument("workflow_id")
        command.add_argument("name")
        command.add_argument("--payload", help="the payload as JSON")
    query = commands.add_parser("query", help="query a running workflow")
    query.add_argument("workflow_id")
    query.add_argument("name")
    for name in ("cancel", "result"):
        command = commands.add_parser(name, help=f"{name} a workflow")
        command.add_argument("workflow_id")
    arguments = parser.parse_args()
    status = 0
    try:
        asyncio.run(run(arguments))
    except (
        RPCError,
        WorkflowAlreadyStartedError,
        WorkflowFailureError,
        ValueError,
        TypeError,
    ) as error:
        print(f"error: {error}", file=sys.stderr)
        status = 1
    # The SDK's core threads can outlive interpreter shutdown and abort a short-lived client
    # (temporalio/sdk-python#300); leave without finalisation once all output is written.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)


if __name__ == "__main__":
    main()
