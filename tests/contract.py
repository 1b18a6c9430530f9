"""Validate responses against the schemas of Immich's own OpenAPI document."""

from __future__ import annotations

import functools
import json
from typing import Any

import jsonschema

from tests.support import FIXTURES

OPENAPI = FIXTURES / "immich-openapi-v2.7.5.json"


def _to_json_schema(node: Any) -> Any:
    """OpenAPI 3.0 → JSON Schema: `nullable: true` becomes a union with null; refs stay local."""
    if isinstance(node, list):
        return [_to_json_schema(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {k: _to_json_schema(v) for k, v in node.items() if k != "nullable"}
    if "$ref" in out:
        out["$ref"] = out["$ref"].replace("#/components/schemas/", "#/$defs/")
    if node.get("nullable"):
        return {"anyOf": [out, {"type": "null"}]}
    return out


@functools.cache
def _defs() -> dict[str, Any]:
    schemas = json.loads(OPENAPI.read_text())["components"]["schemas"]
    return {name: _to_json_schema(schema) for name, schema in schemas.items()}


@functools.cache
def _validator(name: str) -> jsonschema.Draft202012Validator:
    defs = _defs()
    if name not in defs:
        raise KeyError(f"no schema {name} in the Immich OpenAPI document")
    return jsonschema.Draft202012Validator({"$defs": defs, "$ref": f"#/$defs/{name}"})


def assert_matches(name: str, instance: Any) -> None:
    """Fail with every violation when `instance` does not satisfy Immich's schema `name`."""
    errors = sorted(_validator(name).iter_errors(instance), key=lambda e: list(e.path))
    assert not errors, f"{name}: " + "; ".join(f"{list(e.path)}: {e.message}" for e in errors[:10])


def assert_error_body(resp: Any, status: int) -> dict[str, Any]:
    """Immich's error envelope with the expected status."""
    assert resp.status_code == status, resp.text
    body: dict[str, Any] = resp.json()
    assert set(body) >= {"message", "error", "statusCode", "correlationId"}, body
    assert body["statusCode"] == status
    return body
