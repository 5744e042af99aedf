"""What every node kind owes the rest of the product, checked per kind: adding a kind that
forgets one part fails here, naming the kind.

- its template is beside its module and loads;
- its config exports a JSON Schema the editor's forms are made from, and an empty config
  either validates or names the fields a user must fill (or the rule across fields to meet);
- its catalogue entry is what the API serves, with an icon the editor draws (not the fallback
  box);
- it is used by a sample project or a golden case, so its generated code is reviewed (goldens)
  and run end to end on the dev server (the samples' tests, and the golden cases the runtime
  tests run).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from pydantic import ValidationError

import samples
from compiler.render import ENVIRONMENT
from node_types import REGISTRY, TEMPLATE_DIR
from node_types.base import CatalogueEntry

ROOT = Path(__file__).resolve().parents[2]
KINDS = sorted(REGISTRY)


def editor_icons() -> set[str]:
    """The icon names the editor maps to a drawing (frontend/src/components/KindIcon.tsx)."""
    source = (ROOT / "frontend" / "src" / "components" / "KindIcon.tsx").read_text()
    table = source.split("const ICONS", 1)[1].split("};", 1)[0]
    return set(re.findall(r'^\s*"?([a-z-]+)"?\s*:', table, flags=re.MULTILINE))


def kinds_in_documents() -> dict[str, set[str]]:
    """Kind -> the sample projects and golden cases that use it."""
    found: dict[str, set[str]] = {}
    documents = [(f"sample {d['id']}", d) for d in samples.documents()]
    for path in sorted((ROOT / "tests" / "compiler" / "golden").glob("*/project.json")):
        documents.append((f"golden {path.parent.name}", json.loads(path.read_text())))
    for name, document in documents:
        for workflow in document["workflows"]:
            for node in workflow["nodes"]:
                found.setdefault(node["type"], set()).add(name)
    return found


@pytest.mark.parametrize("kind", KINDS)
def test_the_template_is_beside_the_kind_and_loads(kind: str) -> None:
    node_type = REGISTRY[kind]
    assert (Path(TEMPLATE_DIR) / node_type.template).is_file(), node_type.template
    ENVIRONMENT.get_template(node_type.template)


@pytest.mark.parametrize("kind", KINDS)
def test_the_config_exports_a_schema_and_a_default_names_what_is_missing(kind: str) -> None:
    config = REGISTRY[kind].config
    schema = config.model_json_schema()
    assert schema.get("type") == "object", schema
    required = set(schema.get("required", []))
    try:
        config.model_validate({})
    except ValidationError as error:
        for item in error.errors():
            if item["type"] == "missing":
                assert str(item["loc"][0]) in required, (item, required)
            else:  # a rule across fields (`set exactly one of ...`) says what to set
                assert item["loc"] == () and item["type"] == "value_error", item
    else:
        assert not required, f"{kind} requires {required} yet an empty config validates"


@pytest.mark.parametrize("kind", KINDS)
def test_the_catalogue_entry_is_served_with_an_icon_the_editor_draws(kind: str) -> None:
    entry = REGISTRY[kind].catalogue_entry()
    CatalogueEntry.model_validate(entry.model_dump())
    assert entry.kind == kind
    assert entry.label and entry.description, "the palette shows both"
    assert entry.icon in editor_icons(), f"add {entry.icon!r} to KindIcon.tsx's ICONS"


def test_every_kind_is_used_by_a_sample_or_a_golden_case() -> None:
    used = kinds_in_documents()
    unused = [kind for kind in KINDS if kind not in used]
    assert unused == [], f"no sample project or golden case uses {unused}"
