"""The Terraform module as data, read with python-hcl2: no terraform binary and no providers.

`load_module` gathers a directory's `.tf` files into one `Module`; hcl_evaluate.py computes the
few expressions the tests need.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import hcl2

REPO = Path(__file__).resolve().parents[2]
TERRAFORM = REPO / "terraform"
EXAMPLES = TERRAFORM / "examples"
# The modules: the rotator (once per project), the rotated secret (once per secret); TERRAFORM
# itself is the single-secret wrapper of both, kept for deployments of before the split.
ROTATOR = TERRAFORM / "modules" / "rotator"
SECRET_MODULE = TERRAFORM / "modules" / "rotated-secret"
# The single-secret examples (each: module "rotator" and module "secret"), and the fleet.
EXAMPLE_NAMES = ("pypi", "gitlab", "dockerhub")
FLEET = EXAMPLES / "fleet"
MODULE_DIRECTORIES = (
    TERRAFORM,
    ROTATOR,
    SECRET_MODULE,
    *(EXAMPLES / name for name in EXAMPLE_NAMES),
    FLEET,
)

_OPTIONS = hcl2.SerializationOptions(
    strip_string_quotes=True, explicit_blocks=False, with_comments=False
)


def tf_files() -> list[Path]:
    """Every .tf file under terraform/, outside `.terraform` working directories."""
    return sorted(path for path in TERRAFORM.rglob("*.tf") if ".terraform" not in path.parts)


def load(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        document: dict[str, Any] = hcl2.load(handle, serialization_options=_OPTIONS)
    return document


@dataclass
class Module:
    directory: Path
    resources: dict[str, dict[str, Any]] = field(default_factory=dict)  # "type.name" -> body
    data: dict[str, dict[str, Any]] = field(default_factory=dict)
    locals: dict[str, Any] = field(default_factory=dict)
    variables: dict[str, dict[str, Any]] = field(default_factory=dict)
    outputs: dict[str, dict[str, Any]] = field(default_factory=dict)
    modules: dict[str, dict[str, Any]] = field(default_factory=dict)
    terraform: list[dict[str, Any]] = field(default_factory=list)

    def resource(self, address: str) -> dict[str, Any]:
        assert address in self.resources, f"{self.directory.name}: no resource {address}"
        return self.resources[address]

    def of_type(self, resource_type: str) -> dict[str, dict[str, Any]]:
        prefix = resource_type + "."
        return {
            address[len(prefix) :]: body
            for address, body in self.resources.items()
            if address.startswith(prefix)
        }


def _add_unique(target: dict[str, Any], key: str, value: Any, where: Path) -> None:
    assert key not in target, f"{key} is declared twice (again in {where.name})"
    target[key] = value


@functools.cache
def load_module(directory: Path) -> Module:
    module = Module(directory)
    for path in sorted(directory.glob("*.tf")):
        document = load(path)
        for entry in document.get("resource", []):
            for resource_type, named in entry.items():
                for name, body in named.items():
                    _add_unique(module.resources, f"{resource_type}.{name}", body, path)
        for entry in document.get("data", []):
            for data_type, named in entry.items():
                for name, body in named.items():
                    _add_unique(module.data, f"{data_type}.{name}", body, path)
        for entry in document.get("locals", []):
            for name, value in entry.items():
                _add_unique(module.locals, name, value, path)
        for kind, target in (
            ("variable", module.variables),
            ("output", module.outputs),
            ("module", module.modules),
        ):
            for entry in document.get(kind, []):
                for name, body in entry.items():
                    _add_unique(target, name, body, path)
        module.terraform.extend(document.get("terraform", []))
    return module


def block(body: dict[str, Any], name: str) -> dict[str, Any]:
    """The single nested block `name` of `body`."""
    found = body.get(name)
    assert isinstance(found, list) and len(found) == 1, f"expected one {name!r} block: {found!r}"
    value: dict[str, Any] = found[0]
    return value


def dynamic_block(body: dict[str, Any], name: str) -> dict[str, Any]:
    """The `dynamic "name"` block of `body`."""
    for entry in body.get("dynamic", []):
        if name in entry:
            value: dict[str, Any] = entry[name]
            return value
    raise AssertionError(f"no dynamic {name!r} block")


def expression(value: Any) -> str:
    """The expression inside a whole-value interpolation: "${a.b}" -> "a.b"."""
    assert isinstance(value, str), f"not an expression: {value!r}"
    assert value.startswith("${") and value.endswith("}"), f"not a single expression: {value!r}"
    depth = 1
    for position, character in enumerate(value[2:], start=2):
        depth += {"{": 1, "}": -1}.get(character, 0)
        if depth == 0:
            assert position == len(value) - 1, f"a template, not a single expression: {value!r}"
    return value[2:-1]


def references(value: Any) -> list[str]:
    """Every `${...}` interpolation in a string, a list or a nested dict, in order."""
    if isinstance(value, str):
        return re.findall(r"\$\{([^{}]*)\}", value)
    if isinstance(value, list):
        return [found for item in value for found in references(item)]
    if isinstance(value, dict):
        return [found for item in value.values() for found in references(item)]
    return []
