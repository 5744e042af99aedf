"""Saving a draft by delta: a JSON Patch (RFC 6902) against the revision the editor holds.

The editor sends the operations of an edit (a node moved, a field typed) instead of the whole
document. The server applies them to its copy of the draft at that revision and validates only
what they touched: each node or edge they added or changed, and the workflow's own fields when
an operation reaches them; an untouched node was valid when it was stored. The draft it stores
is the same text a full save of the same document stores (nodes and edges in the form the
document model writes them), so a draft saved by deltas and one saved whole are the same.

A delta based on another revision than the stored one is refused (409) like a full save: it
was computed against a document the server no longer has.

The parsed drafts of recent saves are kept in memory (per process, a few dozen): a delta
against the draft this process just stored reads only the draft's revision and the time it was
written, not its text, and parses nothing.
"""

from __future__ import annotations

import copy
import threading
from datetime import datetime
from typing import Any, NoReturn

import jsonpatch
import jsonpointer
import pydantic_core
from cachetools import LRUCache
from pydantic import ValidationError
from sqlmodel import Session, col, select

from backend.errors import Conflict, Invalid, NotFound
from backend.models import PatchOperation, WorkflowDelta, WorkflowRecord
from backend.services.records import workflow_or_404
from backend.services.workflows import store_draft
from language.diagnostics import Codes, Diagnostic
from language.document import MAX_EDGES, MAX_NODES, Edge, Node, Workflow
from language.load import schema_diagnostic

CACHED_DRAFTS = 64
_LISTS: dict[str, type[Node] | type[Edge]] = {"nodes": Node, "edges": Edge}


Key = tuple[str, str, int, datetime]
"""Project, workflow, revision, and when that revision was written (a workflow deleted and
made again starts again at revision 1)."""


_drafts: LRUCache[Key, dict[str, Any]] = LRUCache(CACHED_DRAFTS)
"""Parsed drafts by `Key`, the most recently used kept."""
_drafts_lock = threading.Lock()


def apply_delta(session: Session, project_id: str, workflow_id: str, delta: WorkflowDelta) -> bytes:
    """Apply the operations to the draft at `delta.revision` and store the result as the next
    revision; 409 when the draft is at another revision, 422 naming the operation, node or
    field when an operation does not apply or leaves the document invalid."""
    found = session.exec(
        select(WorkflowRecord.revision, WorkflowRecord.updated_at).where(
            col(WorkflowRecord.project_id) == project_id, col(WorkflowRecord.id) == workflow_id
        )
    ).first()
    if found is None:
        workflow_or_404(session, project_id, workflow_id)  # says which of the two is missing
        raise NotFound(f"workflow {workflow_id!r} does not exist")
    revision, written = found
    if revision != delta.revision:
        raise Conflict(
            f"workflow {workflow_id!r} was saved by someone else since revision "
            f"{delta.revision}; it is now at revision {revision}: reload it and apply your "
            "change again",
            revision,
        )
    with _drafts_lock:
        stored = _drafts.get((project_id, workflow_id, revision, written))
    if stored is None:
        stored = pydantic_core.from_json(workflow_or_404(session, project_id, workflow_id).document)
    document = patched(stored, delta.patch, workflow_id)
    text = pydantic_core.to_json(document).decode()
    answer, saved = store_draft(session, project_id, workflow_id, delta.revision, text)
    with _drafts_lock:
        _drafts[project_id, workflow_id, saved.revision, saved.updated_at] = document
    return answer


def patched(
    stored: dict[str, Any], operations: list[PatchOperation], workflow_id: str
) -> dict[str, Any]:
    """The document after the operations, validated where they touched it; `stored` is left
    as it was (what an operation changes is copied first)."""
    document = dict(stored)
    for key in _LISTS:
        document[key] = list(stored.get(key, []))
    touched_fields = False
    for index, operation in enumerate(operations):
        # a value given as null is an operand (`replace` with null), not a value left out
        raw = operation.model_dump(by_alias=True, exclude_unset=True)
        for path in (operation.path, operation.from_):
            if path is not None:
                touched_fields |= _copy_on_write(document, path)
        if raw["path"] in ("", "/id") or (
            operation.from_ is not None and operation.from_ in ("", "/id")
        ):
            raise _invalid(index, raw, "the whole document and its id cannot be changed by a delta")
        try:
            jsonpatch.JsonPatch([raw]).apply(document, in_place=True)
        except (jsonpatch.JsonPatchException, jsonpointer.JsonPointerException) as error:
            raise _invalid(index, raw, str(error)) from None
        except (TypeError, ValueError, IndexError, KeyError) as error:
            raise _invalid(index, raw, f"it does not apply here ({error})") from None
    _validate(stored, document, touched_fields, workflow_id)
    return document


def _copy_on_write(document: dict[str, Any], path: str) -> bool:
    """Copy the part of the document an operation at `path` changes, so the stored draft stays
    as it was; True when it is one of the workflow's own fields (not a node or an edge)."""
    parts = path.split("/")
    if len(parts) < 2:
        return True
    top = jsonpointer.unescape(parts[1])
    if top in _LISTS and isinstance(document.get(top), list):
        if len(parts) >= 4 and parts[2].isdigit():
            items = document[top]
            position = int(parts[2])
            if position < len(items):
                items[position] = copy.deepcopy(items[position])
        return False
    if top in document:
        document[top] = copy.deepcopy(document[top])
    return True


def _validate(
    stored: dict[str, Any], document: dict[str, Any], fields: bool, workflow_id: str
) -> None:
    """Nodes and edges the operations added or changed, each in the form the model writes;
    the workflow's own fields when an operation reached them."""
    for key, model in _LISTS.items():
        items = document.get(key)
        limit = MAX_NODES if key == "nodes" else MAX_EDGES
        if not isinstance(items, list) or len(items) > limit:
            _full_check(document, workflow_id)
        before = {id(item) for item in stored.get(key, [])}
        for position, item in enumerate(items):
            if id(item) in before:
                continue
            try:
                items[position] = model.model_validate(item).model_dump(mode="json")
            except ValidationError:
                _full_check(document, workflow_id)
    if fields:
        own = {key: value for key, value in document.items() if key not in _LISTS}
        try:
            Workflow.model_validate(own)
        except ValidationError:
            _full_check(document, workflow_id)
        if own.get("id") != workflow_id:
            _full_check(document, workflow_id)
        # the fields in the form (and order) the model writes them, as a full save stores them
        written = Workflow.model_validate(own).model_dump(mode="json", exclude={"nodes", "edges"})
        written.update(nodes=document["nodes"], edges=document["edges"])
        document.clear()
        document.update((key, written[key]) for key in Workflow.model_fields if key in written)


def _full_check(document: dict[str, Any], workflow_id: str) -> NoReturn:
    """Raise the diagnostics a full save of this document would get."""
    try:
        Workflow.model_validate(document)
    except ValidationError as error:
        source = {"workflows": [document]}
        raise Invalid(
            "the change leaves the workflow invalid; see diagnostics",
            [
                schema_diagnostic(source, {**item, "loc": ("workflows", 0, *item["loc"])})
                for item in error.errors()
            ],
        ) from None
    raise Invalid(
        "the change leaves the workflow invalid",
        [Diagnostic(Codes.SCHEMA, "a workflow keeps its id", workflow_id=workflow_id, field="id")],
    )


def _invalid(index: int, raw: dict[str, Any], reason: str) -> Invalid:
    where = raw.get("path", "")
    return Invalid(
        f"operation {index} ({raw.get('op')} {where!r}) cannot be applied",
        [
            Diagnostic(
                Codes.SCHEMA,
                f"operation {index} ({raw.get('op')} {where!r}): {reason}",
                field=f"patch.{index}",
            )
        ],
    )
