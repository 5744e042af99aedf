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

import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NoReturn

import jsonpatch
import jsonpointer
import pydantic_core
from cachetools import LRUCache
from pydantic import ValidationError
from sqlmodel import Session, col, select

from backend.errors import Conflict, Invalid, NotFound
from backend.models import PatchOperation, WorkflowDelta, WorkflowMeta, WorkflowRecord
from backend.services.records import workflow_or_404
from backend.services.workflows import store_draft, try_store_draft
from language.diagnostics import Codes, Diagnostic
from language.document import MAX_EDGES, MAX_NODES, Edge, Node, Workflow
from language.load import schema_diagnostic

CACHED_DRAFTS = 64
_LISTS: dict[str, type[Node] | type[Edge]] = {"nodes": Node, "edges": Edge}


Key = tuple[str, str, int]
"""Project, workflow and revision."""


@dataclass(frozen=True)
class _Draft:
    """A stored draft, parsed."""

    written: datetime
    """When its revision was written (a workflow deleted and made again starts again at
    revision 1)."""
    document: dict[str, Any]
    texts: dict[int, bytes]
    """The JSON of each of its nodes and edges, by the item's `id()`: a delta's document holds
    the items it did not touch, and only the others are encoded again."""


_drafts: LRUCache[Key, _Draft] = LRUCache(CACHED_DRAFTS)
"""Parsed drafts, the most recently used kept."""
_drafts_lock = threading.Lock()


def apply_delta(session: Session, project_id: str, workflow_id: str, delta: WorkflowDelta) -> bytes:
    """Apply the operations to the draft at `delta.revision` and store the result as the next
    revision; 409 when the draft is at another revision, 422 naming the operation, node or
    field when an operation does not apply or leaves the document invalid."""
    with _drafts_lock:
        held = _drafts.get((project_id, workflow_id, delta.revision))
    if held is not None:
        # One statement: the draft is stored if it is still the revision held here. Anything
        # else (another writer, a refused operation) takes the way below, which reads first.
        try:
            document = patched(held.document, delta.patch, workflow_id)
        except Invalid:
            pass
        else:
            text, texts = encoded(document, held.texts)
            saved = try_store_draft(
                session, project_id, workflow_id, delta.revision, text, held.written
            )
            if saved is not None:
                return _hold(document, texts, *saved)
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
    if held is None or held.written != written:
        record = workflow_or_404(session, project_id, workflow_id)
        held = _Draft(written, pydantic_core.from_json(record.document), {})
    document = patched(held.document, delta.patch, workflow_id)
    text, texts = encoded(document, held.texts)
    saved = store_draft(session, project_id, workflow_id, delta.revision, text)
    return _hold(document, texts, *saved)


def encoded(document: dict[str, Any], texts: dict[int, bytes]) -> tuple[str, dict[int, bytes]]:
    """The document's JSON, the text `pydantic_core.to_json` gives, made of the `texts` of the
    nodes and edges it shares with an earlier draft; and the texts of its own nodes and edges."""
    own: dict[int, bytes] = {}
    parts: list[bytes] = []
    for key, value in document.items():
        if key in _LISTS and isinstance(value, list):
            keys = list(map(id, value))
            found = list(map(texts.get, keys))
            if None in found:
                found = [
                    pydantic_core.to_json(item) if text is None else text
                    for item, text in zip(value, found, strict=True)
                ]
            written: list[bytes] = found  # type: ignore[assignment]  # no None left
            own.update(zip(keys, written, strict=True))
            value_text = b"[" + b",".join(written) + b"]"
        else:
            value_text = pydantic_core.to_json(value)
        parts.append(pydantic_core.to_json(key) + b":" + value_text)
    return (b"{" + b",".join(parts) + b"}").decode(), own


def _hold(
    document: dict[str, Any], texts: dict[int, bytes], answer: bytes, saved: WorkflowMeta
) -> bytes:
    """Keep the draft just stored for the next delta; the answer."""
    with _drafts_lock:
        _drafts[saved.project_id, saved.id, saved.revision] = _Draft(
            saved.updated_at, document, texts
        )
    return answer


@dataclass
class _Touched:
    """What the operations of a delta reached."""

    fields: bool = False
    """One of the workflow's own fields (not a node or an edge)."""
    items: dict[str, set[int]] = field(default_factory=lambda: {key: set() for key in _LISTS})
    """Per list, the positions of the items changed inside (copied first)."""
    reshaped: set[str] = field(default_factory=set)
    """The lists where whole items were added, removed or replaced."""


def patched(
    stored: dict[str, Any], operations: list[PatchOperation], workflow_id: str
) -> dict[str, Any]:
    """The document after the operations, validated where they touched it; `stored` is left
    as it was (what an operation changes is copied first)."""
    document = dict(stored)
    for key in _LISTS:
        document[key] = list(stored.get(key, []))
    touched = _Touched()
    for index, operation in enumerate(operations):
        # a value given as null is an operand (`replace` with null), not a value left out
        raw = operation.model_dump(by_alias=True, exclude_unset=True)
        for path in (operation.path, operation.from_):
            if path is not None:
                _copy_on_write(document, path, touched)
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
    _validate(stored, document, touched, workflow_id)
    return document


def _copy_on_write(document: dict[str, Any], path: str, touched: _Touched) -> None:
    """Copy each container on the way to what an operation at `path` changes, its parent
    included, so that no container the stored draft holds is changed (the rest stays shared);
    note what it reaches in `touched`."""
    tokens = [jsonpointer.unescape(token) for token in path.split("/")[1:]]
    if not tokens:
        touched.fields = True
        return
    top = tokens[0]
    if top in _LISTS and isinstance(document.get(top), list):
        items = document[top]
        if len(tokens) >= 3 and tokens[1].isdigit() and int(tokens[1]) < len(items):
            touched.items[top].add(int(tokens[1]))
        else:
            touched.reshaped.add(top)
    else:
        touched.fields = True
    container: Any = document
    for depth, token in enumerate(tokens[:-1]):
        if isinstance(container, dict) and token in container:
            key: str | int = token
        elif isinstance(container, list) and token.isdigit() and int(token) < len(container):
            key = int(token)
        else:
            return  # the operation does not apply; it fails before it changes anything
        child = container[key]
        if depth > 0 or key not in _LISTS:  # the lists of nodes and edges are copies already
            if isinstance(child, dict):
                child = dict(child)
            elif isinstance(child, list):
                child = list(child)
            else:
                return
            container[key] = child
        container = child


def _validate(
    stored: dict[str, Any], document: dict[str, Any], touched: _Touched, workflow_id: str
) -> None:
    """Nodes and edges the operations added or changed, each in the form the model writes;
    the workflow's own fields when an operation reached them."""
    for key, model in _LISTS.items():
        items = document.get(key)
        limit = MAX_NODES if key == "nodes" else MAX_EDGES
        if not isinstance(items, list) or len(items) > limit:
            _full_check(document, workflow_id)
        if key in touched.reshaped:
            # items moved: the new ones are those the stored draft does not hold
            before = set(map(id, stored.get(key, [])))
            changed = [position for position, item in enumerate(items) if id(item) not in before]
        else:
            changed = sorted(touched.items[key])
        for position in changed:
            try:
                items[position] = model.model_validate(items[position]).model_dump(mode="json")
            except ValidationError:
                _full_check(document, workflow_id)
    if touched.fields:
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
