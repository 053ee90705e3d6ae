"""The Bot API as data: request validation and response conformance checks.

The JSON (``bot-api-10.1.json``, MIT, see ``LICENSE-spec.txt``) lists every
method with its parameters and every type with its fields. The emulator uses
it twice: to coerce and validate incoming parameters like Telegram does, and
to check that every object it answers with has the fields the real API
returns. Tests use :func:`assert_conforms` for the same check.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from bot.emulator.errors import ApiError, bad_request, chat_not_found
from bot.emulator.uploads import Upload

PACKAGED_SPEC_PATH = Path(__file__).with_name("bot-api-10.1.json")
ARRAY_PREFIX = "Array of "
_INTEGER_RE = re.compile(r"^[+-]?\d+$")
_CHAT_ID_PARAMS = frozenset({"chat_id", "from_chat_id"})
_JSON_ERRORS = {
    "reply_markup": "can't parse reply keyboard markup JSON object",
    "entities": "can't parse entities JSON object",
    "caption_entities": "can't parse entities JSON object",
}
# Telegram's own wording for some missing required parameters.
_MISSING_WORDING = {
    ("sendmessage", "text"): "message text is empty",
    ("sendphoto", "photo"): "there is no photo in the request",
    ("senddocument", "document"): "there is no document in the request",
    ("sendpoll", "question"): "poll question must be non-empty",
    ("sendpoll", "options"): "poll must have at least 1 option",
}


@dataclass(frozen=True)
class FieldSpec:
    """One parameter of a method, or one field of a type."""

    name: str
    types: tuple[str, ...]
    required: bool


@dataclass(frozen=True)
class MethodSpec:
    """A Bot API method: its canonical name, parameters and return types."""

    name: str
    fields: Mapping[str, FieldSpec]
    returns: tuple[str, ...]


@dataclass(frozen=True)
class TypeSpec:
    """A Bot API type: its fields, or the subtypes it stands for."""

    name: str
    fields: Mapping[str, FieldSpec]
    subtypes: tuple[str, ...]


@dataclass
class ParsedParams:
    """Parameters after coercion, plus the names the method does not know."""

    values: dict[str, Any]
    unknown: list[str] = field(default_factory=list)


def _fields(raw: Sequence[Mapping[str, Any]]) -> dict[str, FieldSpec]:
    return {f["name"]: FieldSpec(f["name"], tuple(f["types"]), bool(f["required"])) for f in raw}


class BotApiSpec:
    """Methods and types of one Bot API version."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.version: str = data.get("version", "")
        self._methods = {
            name.lower(): MethodSpec(name, _fields(m.get("fields", [])), tuple(m.get("returns", [])))
            for name, m in data["methods"].items()
        }
        self._types = {
            name: TypeSpec(name, _fields(t.get("fields", [])), tuple(t.get("subtypes", []) or []))
            for name, t in data["types"].items()
        }

    @classmethod
    def load(cls, path: str | Path | None = None) -> BotApiSpec:
        """Read a spec JSON file; the packaged Bot API 10.1 by default."""
        with open(path or PACKAGED_SPEC_PATH, encoding="utf-8") as fh:
            return cls(json.load(fh))

    def method(self, name: str) -> MethodSpec | None:
        """The method called ``name`` (case-insensitive, like Telegram), or None."""
        return self._methods.get(name.lower())

    def type(self, name: str) -> TypeSpec | None:
        """The type called ``name``, or None."""
        return self._types.get(name)

    # ---- requests -------------------------------------------------------------------------

    def parse_params(
        self, method: MethodSpec, raw: Mapping[str, Any], uploads: Mapping[str, Upload]
    ) -> ParsedParams:
        """Coerce raw form/JSON/multipart values to the types the spec names.

        Missing required parameters and values of the wrong type raise
        :class:`ApiError` (400). Unknown parameters are ignored like Telegram
        does, but listed in ``unknown``.
        """
        parsed = ParsedParams(values={})
        attached = {v[len("attach://"):] for v in raw.values() if isinstance(v, str) and v.startswith("attach://")}
        for name, value in raw.items():
            spec = method.fields.get(name)
            if spec is None:
                if name not in attached:
                    parsed.unknown.append(name)
                continue
            if value is None or (value == "" and ("String" not in spec.types or "Integer" in spec.types)):
                continue
            parsed.values[name] = self._coerce(method, spec, value, uploads)
        for name, upload in uploads.items():
            if name in raw or name in attached:
                continue
            if name in method.fields:
                parsed.values[name] = self._coerce(method, method.fields[name], upload, uploads)
            else:
                parsed.unknown.append(name)
        for spec in method.fields.values():
            if spec.required and spec.name not in parsed.values:
                raise bad_request(missing_parameter_reason(method.name, spec.name))
        return parsed

    def _coerce(self, method: MethodSpec, spec: FieldSpec, value: Any, uploads: Mapping[str, Upload]) -> Any:
        if isinstance(value, Upload):
            if "InputFile" in spec.types:
                return value
            raise _invalid(spec)
        if isinstance(value, str) and value.startswith("attach://") and "InputFile" in spec.types:
            name = value[len("attach://"):]
            if name not in uploads:
                raise bad_request(f'file "{name}" referenced by parameter "{spec.name}" was not uploaded')
            return uploads[name]
        for type_name in spec.types:
            ok, coerced = _try_coerce(type_name, value, spec.name)
            if ok:
                return coerced
        raise _invalid(spec)

    # ---- responses ------------------------------------------------------------------------

    def problems(self, type_names: str | Sequence[str], value: Any, path: str = "$") -> list[str]:
        """Why ``value`` is not a valid instance of (one of) ``type_names``; [] if it is.

        Checks recursively: required fields present, no fields the type does
        not have, primitive fields of the right JSON type.
        """
        names = [type_names] if isinstance(type_names, str) else list(type_names)
        best: list[str] | None = None
        for name in names:
            found = self._problems_one(name, value, path)
            if not found:
                return []
            if best is None or len(found) < len(best):
                best = found
        return best or []

    def _problems_one(self, name: str, value: Any, path: str) -> list[str]:
        if name.startswith(ARRAY_PREFIX):
            if not isinstance(value, list):
                return [f"{path}: expected {name}, got {type(value).__name__}"]
            inner = name[len(ARRAY_PREFIX):]
            out: list[str] = []
            for index, item in enumerate(value):
                out += self.problems(inner, item, f"{path}[{index}]")
            return out
        primitive = _PRIMITIVE_CHECKS.get(name)
        if primitive is not None:
            return [] if primitive(value) else [f"{path}: expected {name}, got {value!r:.60}"]
        type_spec = self._types.get(name)
        if type_spec is None:
            return []
        if type_spec.subtypes:
            return self.problems(type_spec.subtypes, value, path)
        if not isinstance(value, dict):
            return [f"{path}: expected {name} object, got {type(value).__name__}"]
        out = [
            f"{path}.{f.name}: required field of {name} is missing"
            for f in type_spec.fields.values()
            if f.required and f.name not in value
        ]
        for key, item in value.items():
            f = type_spec.fields.get(key)
            if f is None:
                out.append(f"{path}.{key}: {name} has no such field")
            else:
                out += self.problems(f.types, item, f"{path}.{key}")
        return out

    def assert_conforms(self, type_names: str | Sequence[str], value: Any) -> None:
        """Raise AssertionError listing every problem of ``value`` against the spec."""
        found = self.problems(type_names, value)
        if found:
            raise AssertionError(f"not a valid {type_names}:\n  " + "\n  ".join(found))

    def result_problems(self, method: MethodSpec, result: Any) -> list[str]:
        """Problems of a method's result against the method's declared return types."""
        return self.problems(method.returns, result) if method.returns else []


def missing_parameter_reason(method: str, param: str) -> str:
    """Telegram's wording for a missing required parameter (generic when unknown)."""
    if param == "chat_id":
        return "chat_id is empty"
    return _MISSING_WORDING.get((method.lower(), param), f'parameter "{param}" is required')


def _invalid(spec: FieldSpec) -> ApiError:
    if spec.name in _CHAT_ID_PARAMS and "String" in spec.types:
        return chat_not_found()
    return bad_request(f'invalid parameter "{spec.name}": expected {" or ".join(spec.types)}')


def _try_coerce(type_name: str, value: Any, param: str) -> tuple[bool, Any]:
    if type_name == "Integer":
        return _to_int(value)
    if type_name == "Float":
        return _to_float(value)
    if type_name in ("Boolean", "True"):
        return _to_bool(value)
    if type_name == "String":
        if isinstance(value, str):
            return True, value
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return True, str(value)
        return False, None
    if type_name == "InputFile":
        return False, None
    wanted: type = list if type_name.startswith(ARRAY_PREFIX) else dict
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise bad_request(_JSON_ERRORS.get(param, f'can\'t parse JSON in parameter "{param}"')) from None
    if not isinstance(value, wanted):
        return False, None
    if wanted is list:
        inner = type_name[len(ARRAY_PREFIX):]
        if inner in ("Integer", "String", "Float", "Boolean"):
            items = [_try_coerce(inner, item, param) for item in value]  # type: ignore[attr-defined]
            if not all(ok for ok, _ in items):
                return False, None
            value = [item for _, item in items]
    return True, value


def _to_int(value: Any) -> tuple[bool, Any]:
    if isinstance(value, bool):
        return False, None
    if isinstance(value, int):
        return True, value
    if isinstance(value, float) and value.is_integer():
        return True, int(value)
    if isinstance(value, str) and _INTEGER_RE.match(value.strip()):
        return True, int(value.strip())
    return False, None


def _to_float(value: Any) -> tuple[bool, Any]:
    if isinstance(value, bool):
        return False, None
    if isinstance(value, (int, float)):
        return True, float(value)
    if isinstance(value, str):
        try:
            return True, float(value)
        except ValueError:
            return False, None
    return False, None


def _to_bool(value: Any) -> tuple[bool, Any]:
    if isinstance(value, bool):
        return True, value
    if isinstance(value, int) and value in (0, 1):
        return True, bool(value)
    if isinstance(value, str) and value.strip().lower() in ("true", "false", "1", "0"):
        return True, value.strip().lower() in ("true", "1")
    return False, None


_PRIMITIVE_CHECKS = {
    "Integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "Float": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "String": lambda v: isinstance(v, str),
    "Boolean": lambda v: isinstance(v, bool),
    "True": lambda v: v is True,
    "InputFile": lambda v: True,
}


@lru_cache(maxsize=1)
def packaged_spec() -> BotApiSpec:
    """The packaged Bot API 10.1 spec, loaded once."""
    return BotApiSpec.load()


def assert_conforms(type_names: str | Sequence[str], value: Any, spec: BotApiSpec | None = None) -> None:
    """Assert ``value`` is a valid ``type_names`` object (recursively) per the spec."""
    (spec or packaged_spec()).assert_conforms(type_names, value)
