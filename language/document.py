"""The graph document (schema_version 1): the single source of truth for projects and workflows.

Every model forbids unknown fields. Node configs stay plain dictionaries here; each kind's own
pydantic model validates them in the check stage, so one bad node becomes one diagnostic instead
of a document that cannot be loaded at all.
"""

from __future__ import annotations

import builtins
import keyword
import math
import re
import unicodedata
from collections.abc import Iterable
from typing import Annotated, Any, Literal, get_args, get_origin

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetJsonSchemaHandler,
    StrictBool,
    StrictFloat,
    StringConstraints,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, PydanticCustomError

from language.durations import parse_duration

SLUG_PATTERN = r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$"
"""Ids of projects and workflows (and so task queues and deployments): the one copy of the
pattern; the API's path parameters and the editor (through the generated API types) read it."""
SLUG_MAX_LENGTH = 64

Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN, max_length=SLUG_MAX_LENGTH)]


class Documented:
    """JSON Schema keywords added to a type's schema, so that the schema shows a check a
    validator makes (a pattern, a word it refuses): what the schema allows, the model accepts."""

    def __init__(self, **keywords: Any) -> None:
        self.keywords = keywords

    def __get_pydantic_json_schema__(
        self, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        schema = handler(core_schema)
        schema.update(self.keywords)
        return schema


class PatternKeys:
    """A dictionary whose keys have a pattern: the schema says so with `propertyNames`.

    Pydantic writes such a dictionary as `patternProperties` alone, which lets any key that
    does not match the pattern through with any value; the model refuses those keys.
    """

    def __get_pydantic_json_schema__(
        self, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        schema = handler(core_schema)
        by_pattern = schema.pop("patternProperties", None)
        if by_pattern:
            ((pattern, values),) = by_pattern.items()
            schema["additionalProperties"] = values
            schema["propertyNames"] = {"pattern": pattern, **schema.get("propertyNames", {})}
        return schema


def _none_of(words: Iterable[str]) -> str:
    """A lookahead refusing the whole text being one of `words`."""
    return "(?!(?:" + "|".join(sorted(words)) + ")$)"


FIELD_NAME_PATTERN = _none_of(keyword.kwlist) + "[A-Za-z][A-Za-z0-9_]*"
"""A field becomes a Python attribute: ASCII letters, digits and underscores, starting with a
letter, not a keyword. (Python takes other letters too, but reads them NFKC-folded, so that
`ｔｅｘｔ` and `text` would be one name.)"""  # noqa: RUF001 - the example is the point


def _field_name(value: str) -> str:
    folded = unicodedata.normalize("NFKC", value)
    if folded != value:
        # Python reads identifiers NFKC-folded: `ｔｅｘｔ` is `text`, `ﬁeld` is `field`  # noqa: RUF003
        raise ValueError(
            f"{value!r} is written with characters Python reads as {folded!r}; "
            f"write {folded!r} (or another name) in plain characters"
        )
    if not re.fullmatch(FIELD_NAME_PATTERN, value):
        raise ValueError(
            f"{value!r} is not a usable field name; use ASCII letters, digits and underscores, "
            "starting with a letter, and not a Python keyword"
        )
    return value


FieldName = Annotated[
    str, AfterValidator(_field_name), Documented(pattern=f"^{FIELD_NAME_PATTERN}$")
]

_GENERATED_TYPE_NAMES = frozenset(
    {"Any", "Literal", "Callable", "Awaitable", "UTC", "TASK_QUEUE", "ACTIVITIES", "WORKFLOWS"}
)
_TYPE_NAME_SHAPE = "[A-Z][A-Za-z0-9]*"
RESERVED_TYPE_NAMES = frozenset(
    name
    for name in {*keyword.kwlist, *dir(builtins), *_GENERATED_TYPE_NAMES}
    if re.fullmatch(_TYPE_NAME_SHAPE, name)
)
"""Names Python or the generated code already uses (`ValueError`, `None`, `Any`)."""
TYPE_NAME_PATTERN = _none_of(RESERVED_TYPE_NAMES) + _TYPE_NAME_SHAPE


def _type_name(value: str) -> str:
    if not re.fullmatch(_TYPE_NAME_SHAPE, value):
        raise ValueError(
            f"{value!r} is not a usable type name; use ASCII letters and digits, starting "
            "with a capital letter"
        )
    if value in RESERVED_TYPE_NAMES:
        raise ValueError(
            f"{value!r} is a name Python or the generated code already uses; name the type "
            "something else"
        )
    return value


TypeName = Annotated[
    str,
    StringConstraints(max_length=64),
    AfterValidator(_type_name),
    Documented(pattern=f"^{TYPE_NAME_PATTERN}$"),
]
TypeRef = Annotated[
    str, StringConstraints(min_length=1, max_length=1000), Documented(format="typeref")
]
"""A type as written in the document (`list[Item]`, `Literal['draft', 'done']`), checked by
`language.typerefs`; long enough for a Literal of a few dozen short values. Its schema says
`format: typeref`, so that a form offers a type picker for it."""
Fields = Annotated[dict[FieldName, TypeRef], PatternKeys()]
"""Field name -> TypeRef. Order is kept: it becomes the order of dataclass fields."""


def _finite(value: Any) -> Any:
    """JSON data without NaN or infinities (they have no JSON or Python literal form)."""
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"{value!r} is not a number JSON can hold; use a finite number")
    if isinstance(value, list):
        for item in value:
            _finite(item)
    elif isinstance(value, dict):
        for item in value.values():
            _finite(item)
    return value


JsonData = Annotated[Any, AfterValidator(_finite)]
"""Any JSON value (finite numbers only)."""


def _integer(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PydanticCustomError("int_type", "Input should be a valid integer")
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


INTEGER = BeforeValidator(_integer)
"""An integer as JSON Schema has it: `3`, or `3.0` (a number without a fraction), but not
`true` or `"3"`, which pydantic's lax `int` would take (`StrictInt` refuses `3.0`).

Constraints go before it, `Annotated[int, Field(ge=1), INTEGER]`, or on a model's field:
after it (in a union or a dictionary's values) pydantic leaves them out of the schema."""
JsonInt = Annotated[int, INTEGER]


class StrictModel(BaseModel):
    """Unknown fields are refused. Numbers are what the schema says (`JsonInt`,
    `StrictFloat`): `true` or `"3"` is no number; a float field takes an integer still.

    A field with a default may be left out of what is read, but is always in what is written:
    the schema of the written form (the API's answers) lists it as required."""

    model_config = ConfigDict(
        extra="forbid", allow_inf_nan=False, json_schema_serialization_defaults_required=True
    )


class TypeDef(StrictModel):
    description: str = ""
    fields: Fields = Field(default_factory=dict)


Types = Annotated[dict[TypeName, TypeDef], PatternKeys()]
"""Type name -> its definition."""


DEFAULT_MAXIMUM_ATTEMPTS = 10
"""Attempts of an activity whose retry policy names none: Temporal's own default is without
end, which repeats a side effect (a PR opened, a payment sent) for as long as it keeps failing.
Ten attempts at the default backoff (1s doubling, at most 100s apart) keep trying for about
five minutes."""


class RetrySpec(StrictModel):
    """Temporal's RetryPolicy, in graph terms. Durations are strings like '5s', '2m', '1h30m'."""

    initial_interval: str = "1s"
    backoff_coefficient: StrictFloat = Field(default=2.0, ge=1.0, le=100.0)
    maximum_interval: str | None = None
    maximum_attempts: JsonInt = Field(
        default=DEFAULT_MAXIMUM_ATTEMPTS,
        ge=0,
        le=10_000,
        description="Attempts before the step fails; 0 retries without end (Temporal's default)",
    )
    non_retryable_error_types: list[str] = Field(default_factory=list)


class ActivityDefaults(StrictModel):
    start_to_close_timeout: str = "1m"
    heartbeat_timeout: str | None = None
    retry: RetrySpec | None = Field(default_factory=RetrySpec)
    """None leaves the policy to Temporal: retried without end."""


LONG_CALL_SECONDS = 5 * 60
"""A call allowed to run longer than this should heartbeat (E217)."""


def heartbeat_advice(activity: str, start_to_close: str, heartbeat: str | None) -> str | None:
    """Why a call allowed to run this long wants a heartbeat timeout; None if it has one."""
    if heartbeat is not None:
        return None
    try:
        seconds = parse_duration(start_to_close)
    except ValueError:
        return None  # a diagnostic of its own
    if seconds <= LONG_CALL_SECONDS:
        return None
    return (
        f"activity {activity!r} may run for {start_to_close} without a heartbeat timeout: a "
        f"worker that dies during a call is noticed only when those {start_to_close} are up, "
        "and a cancellation cannot reach the call; give it a heartbeat timeout (a minute is "
        "usual; the generated activity heartbeats every third of it)"
    )


_PYTHON_NAME = "(?!(?:" + "|".join(keyword.kwlist) + ")(?![A-Za-z0-9_]))[A-Za-z_][A-Za-z0-9_]*"
PYTHON_REFERENCE_PATTERN = rf"{_PYTHON_NAME}(?:\.{_PYTHON_NAME})*:{_PYTHON_NAME}"
"""`package.module:function`, each part an ASCII identifier and no keyword."""


def _python_reference(value: str) -> str:
    if not re.fullmatch(PYTHON_REFERENCE_PATTERN, value):
        raise ValueError(
            f"{value!r} is not a `package.module:function` reference to an async function"
        )
    return value


def _kind_required(schema: dict[str, Any]) -> None:
    schema["required"] = ["kind", *(name for name in schema.get("required", []) if name != "kind")]


class ImplementationModel(StrictModel):
    """An activity's implementation. Its `kind` picks the model (a default alone would not
    say which), so the schema lists it as required, as validation needs it."""

    model_config = ConfigDict(json_schema_extra=_kind_required)


class PythonImpl(ImplementationModel):
    kind: Literal["python"] = "python"
    function: Annotated[
        str,
        AfterValidator(_python_reference),
        Documented(pattern=f"^{PYTHON_REFERENCE_PATTERN}$"),
    ]
    """`module:function` of the user's own async function taking the input dataclass."""


class HttpImpl(ImplementationModel):
    kind: Literal["http"] = "http"
    method: Literal["GET", "POST", "PUT", "PATCH", "DELETE"] = "GET"
    url: str
    """A template: `{name}` placeholders are filled from the activity's input fields."""
    headers: dict[str, str] = Field(default_factory=dict)
    body: str | None = None
    """A template like `url`; without one, POST/PUT/PATCH send the input as JSON. With a JSON
    Content-Type it is JSON with the placeholders inside strings, filled as data."""

    def sends_json(self) -> bool:
        """A body template sent as JSON (a Content-Type header naming json)."""
        return self.body is not None and any(
            key.lower() == "content-type" and "json" in value.lower()
            for key, value in self.headers.items()
        )


class ShellImpl(ImplementationModel):
    kind: Literal["shell"] = "shell"
    command: list[str] = Field(min_length=1)
    """argv; each element is a template filled from the input fields. Never run through a shell."""
    timeout_seconds: StrictFloat = Field(default=60.0, gt=0)


class SimulateImpl(ImplementationModel):
    kind: Literal["simulate"] = "simulate"
    result: JsonData = None
    """The value returned; strings inside it are templates filled from the input fields."""
    delay_seconds: StrictFloat = Field(default=0.0, ge=0, le=3600)
    fail_attempts: JsonInt = Field(default=0, ge=0)
    """The first N attempts of each activity execution fail with a retryable error."""
    fail_when: dict[str, JsonData] = Field(default_factory=dict)
    """Fail (non-retryable) when every named input field equals the given value."""
    fail_when_retryable: StrictBool = False
    """A `fail_when` failure may be retried (a step that fails on this input this time, such
    as a build an agent then fixes) instead of being final (an input that never works)."""
    fail_message: str = "simulated failure"


Implementation = Annotated[
    PythonImpl | HttpImpl | ShellImpl | SimulateImpl, Field(discriminator="kind")
]


def _no_output(output: str | None) -> bool:
    return output is None


def _nothing_is_no_output(value: Any) -> Any:
    """Documents written before an output could be left out said `"None"` for it."""
    return None if value == "None" else value


NO_OUTPUT = "None"
"""The type reference of an output left out: the activity or the workflow returns nothing."""

Output = Annotated[TypeRef | None, BeforeValidator(_nothing_is_no_output)]
"""An output type, left out (null) for none: `Field(default=None, exclude_if=_no_output)`
leaves it out of what is written too. `"None"`, what documents said before, reads as none."""


def _optional_when_empty(schema: dict[str, Any]) -> None:
    """`ui` and `output` are left out of what is written while they hold nothing, so the
    written form's schema lists them as optional (the other fields with defaults are always
    written, hence required)."""
    required = schema.get("required")
    if isinstance(required, list):
        required[:] = [name for name in required if name not in ("ui", "output")]


class ActivityDef(StrictModel):
    model_config = ConfigDict(json_schema_extra=_optional_when_empty)

    name: Annotated[str, StringConstraints(min_length=1, max_length=100)]
    """The activity type name registered with Temporal."""
    description: str = ""
    input: Fields = Field(default_factory=dict)
    output: Output = Field(default=None, exclude_if=_no_output)
    """The type the activity returns; left out (null) when it returns nothing."""
    implementation: Implementation = Field(default_factory=SimulateImpl)
    defaults: ActivityDefaults = Field(default_factory=ActivityDefaults)

    @property
    def returns(self) -> TypeRef:
        """The output as a type reference: `None` when the activity returns nothing."""
        return NO_OUTPUT if self.output is None else self.output


class StateVar(StrictModel):
    name: FieldName
    type: TypeRef
    default: JsonData = None
    description: str = ""


class WorkflowSettings(StrictModel):
    id_template: str | None = None
    """Template for the workflow id when the starter launches it, e.g. `build-{input.package}`."""
    execution_timeout: str | None = None


class Position(StrictModel):
    x: StrictFloat = 0.0
    y: StrictFloat = 0.0


class Size(StrictModel):
    width: StrictFloat = Field(gt=0)
    height: StrictFloat = Field(gt=0)


class Node(StrictModel):
    id: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    type: Annotated[str, StringConstraints(min_length=1, max_length=100)]
    label: str = ""
    position: Position = Field(default_factory=Position)
    size: Size | None = None
    parent_id: str | None = None
    config: dict[str, JsonData] = Field(default_factory=dict)


class Edge(StrictModel):
    id: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    source: str
    source_handle: str = "out"
    target: str
    target_handle: str = "in"


MAX_NODES = 2000
"""Nodes in one workflow: every stage of the compiler stays linear and a check of the largest
workflow allowed takes a few seconds at most (split larger designs into child workflows)."""
MAX_EDGES = 2 * MAX_NODES

MAX_PROJECT_NODES = 3 * MAX_NODES
"""Nodes in all the workflows of a project: its check and compile take seconds, not minutes."""

MAX_CONTAINER_DEPTH = 6
"""Containers one inside another: Python allows 20 nested blocks in a function, a retry opens
two and the steps inside it up to four more."""


class WorkflowUI(StrictModel):
    """How the editor shows the workflow; the compiler, the deploy patch tag and version diffs
    read none of it."""

    collapsed: list[Annotated[str, StringConstraints(min_length=1, max_length=200)]] = Field(
        default_factory=list, max_length=MAX_NODES
    )
    """The containers drawn folded into one node, by node id."""


def _no_ui(ui: WorkflowUI) -> bool:
    return not ui.collapsed


class Workflow(StrictModel):
    model_config = ConfigDict(json_schema_extra=_optional_when_empty)

    id: Slug
    name: str = ""
    description: str = ""
    input: Fields = Field(default_factory=dict)
    input_defaults: Annotated[dict[FieldName, JsonData], PatternKeys()] = Field(
        default_factory=dict
    )
    """Values for the input fields a start may leave out (built as values of their types)."""
    output: Output = Field(default=None, exclude_if=_no_output)
    """The type the workflow returns; left out (null) when it returns nothing, and then left
    out of what is written. `"None"`, what documents said for it before, reads as left out."""
    state: list[StateVar] = Field(default_factory=list)
    settings: WorkflowSettings = Field(default_factory=WorkflowSettings)
    nodes: list[Node] = Field(default_factory=list, max_length=MAX_NODES)
    edges: list[Edge] = Field(default_factory=list, max_length=MAX_EDGES)
    ui: WorkflowUI = Field(default_factory=WorkflowUI, exclude_if=_no_ui)
    """The editor's view (collapsed containers); left out of what is written while empty, so a
    document that never used it is written as before."""

    @property
    def returns(self) -> TypeRef:
        """The output as a type reference: `None` when the workflow returns nothing."""
        return NO_OUTPUT if self.output is None else self.output


class Project(StrictModel):
    schema_version: Literal[1] = 1
    id: Slug
    name: str = ""
    description: str = ""
    task_queue: Annotated[str, StringConstraints(min_length=1, max_length=200)] = "default"
    types: Types = Field(default_factory=dict)
    activities: list[ActivityDef] = Field(default_factory=list)
    workflows: list[Workflow] = Field(default_factory=list)


def compact(value: Any) -> Any:
    """A document as JSON data without the fields that hold their default, so it is about as
    large as what was written; `model_validate` of the result gives the same document back.

    A field whose type is one literal (`kind: Literal["python"]`, `schema_version`) is kept
    even at its default: it says which kind the object is.
    """
    if isinstance(value, BaseModel):
        data: dict[str, Any] = {}
        for name, info in type(value).model_fields.items():
            item = getattr(value, name)
            at_default = not info.is_required() and item == info.get_default(
                call_default_factory=True
            )
            if at_default and not _is_tag(info.annotation):
                continue
            data[info.alias or name] = compact(item)
        return data
    if isinstance(value, list):
        return [compact(item) for item in value]
    if isinstance(value, dict):
        return {key: compact(item) for key, item in value.items()}
    return value


def _is_tag(annotation: Any) -> bool:
    return get_origin(annotation) is Literal and len(get_args(annotation)) == 1
