"""A project document as canonical JSON text: the form of the sample files (`samples/*.json`).

Keys come in the order the document's models declare them (a node's config in the order of its
kind's config model); keys a model does not know keep their place after the known ones, and the
entries of a map the user names (types, fields, arguments) keep the document's order, which
means something (the order of a dataclass's fields). Each object or list is written on one line
when it fits in `WIDTH` characters; else its members go on lines of their own, indented by two
spaces, where an object's short members share a line as long as it fits.

Only the layout changes: `json.loads(document_json(d)) == d`, and writing what was read gives
the same text again, so files kept in this form stay byte-stable under load and re-write.
"""

from __future__ import annotations

import json
import types
from collections.abc import Mapping
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel

from language.document import Node, Project
from node_types import REGISTRY

WIDTH = 120
"""How long an object or list written on one line may be (its key included, its indentation
not); a longer one is broken, member by member."""
INDENT = 2


def document_json(document: Mapping[str, Any]) -> str:
    """The project document as canonical JSON text, ending with a newline."""
    return _write(_order(dict(document), Project), 0) + "\n"


def _order(value: Any, annotation: Any) -> Any:
    """`value` with the keys of every object in the order of the model `annotation` names."""
    while get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    origin = get_origin(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return _order_model(value, annotation) if isinstance(value, dict) else value
    if origin is Union or origin is types.UnionType:
        return _order_union(value, get_args(annotation))
    if origin is list and isinstance(value, list):
        (item,) = get_args(annotation) or (Any,)
        return [_order(element, item) for element in value]
    if origin is dict and isinstance(value, dict):
        item = get_args(annotation)[1] if get_args(annotation) else Any
        return {key: _order(element, item) for key, element in value.items()}
    return value


def _order_model(value: dict[str, Any], model: type[BaseModel]) -> dict[str, Any]:
    ordered: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        key = info.alias or name
        if key not in value:
            continue
        if model is Node and key == "config":
            ordered[key] = _order_config(value.get("type"), value[key])
        else:
            ordered[key] = _order(value[key], info.annotation)
    for key, element in value.items():
        ordered.setdefault(key, element)
    return ordered


def _order_config(kind: Any, config: Any) -> Any:
    node_type = REGISTRY.get(kind) if isinstance(kind, str) else None
    return config if node_type is None else _order(config, node_type.config)


def _order_union(value: Any, members: tuple[Any, ...]) -> Any:
    if isinstance(value, dict):
        models = [m for m in members if isinstance(m, type) and issubclass(m, BaseModel)]
        model = _pick_model(value, models)
        if model is not None:
            return _order_model(value, model)
    for member in members:
        shape = get_origin(member) or member
        if (shape is list and isinstance(value, list)) or (
            shape is dict and isinstance(value, dict)
        ):
            return _order(value, member)
    return value


def _pick_model(value: dict[str, Any], models: list[type[BaseModel]]) -> type[BaseModel] | None:
    """The model a union's object is: the one its `kind` names, else the first that knows all
    of its keys."""
    for model in models:
        kind = model.model_fields.get("kind")
        tag = kind.annotation if kind is not None else None
        if get_origin(tag) is Literal and value.get("kind") in get_args(tag):
            return model
    for model in models:
        known = {info.alias or name for name, info in model.model_fields.items()}
        if set(value) <= known:
            return model
    return None


def _write(value: Any, indent: int, key: str = "") -> str:
    """`value` as JSON on a line indented by `indent`, after `key` (its `"name": `, if any)."""
    flat = json.dumps(value, ensure_ascii=False)
    if not isinstance(value, dict | list) or not value or len(key) + len(flat) <= WIDTH:
        return flat
    inner = indent + INDENT
    pad = " " * inner
    if isinstance(value, list):
        members = [pad + _write(element, inner) for element in value]
        return "[\n" + ",\n".join(members) + "\n" + " " * indent + "]"
    # an object's members that fit share a line, as many as fit in WIDTH
    lines: list[str] = []
    line = ""
    for name, element in value.items():
        prefix = json.dumps(name, ensure_ascii=False) + ": "
        member = prefix + _write(element, inner, prefix)
        if "\n" in member or (line and len(line) + len(", ") + len(member) > WIDTH):
            if line:
                lines.append(line)
            line = ""
        if "\n" in member:
            lines.append(member)
        else:
            line = f"{line}, {member}" if line else member
    if line:
        lines.append(line)
    return "{\n" + ",\n".join(pad + text for text in lines) + "\n" + " " * indent + "}"
