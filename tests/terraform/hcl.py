"""The Terraform module as data, read with python-hcl2: no terraform binary and no providers.

`load_module` gathers a directory's `.tf` files into one `Module`; `evaluate` computes the few
expressions the tests need (literal lists, `local.` and `var.` references, `concat()` and
`cond ? a : b`) and refuses anything else, so a change to those expressions fails loudly.
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


# --- A tiny evaluator ---------------------------------------------------------------------------

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<string>"(?:[^"\\]|\\.)*")
      | (?P<name>[A-Za-z_][A-Za-z0-9_-]*(?:\.[A-Za-z_][A-Za-z0-9_-]*)*)
      | (?P<punct>[\[\](),?:])
    )""",
    re.VERBOSE,
)


class UnsupportedExpression(AssertionError):
    pass


def _tokenize(text: str) -> list[str]:
    tokens: list[str] = []
    position = 0
    text = text.strip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if not match:
            raise UnsupportedExpression(f"cannot read {text[position:]!r} in {text!r}")
        tokens.append(match.group(match.lastgroup or "punct"))
        position = match.end()
    return tokens


def evaluate(value: Any, local_values: dict[str, Any], variables: dict[str, Any]) -> Any:
    """Evaluate a literal or an expression made of lists, strings, true/false, local.X, var.X,
    concat(...) and `condition ? a : b`."""
    if isinstance(value, list):
        return [evaluate(item, local_values, variables) for item in value]
    if not isinstance(value, str) or not value.startswith("${"):
        return value
    tokens = _tokenize(expression(value))
    parser = _Parser(tokens, local_values, variables)
    result = parser.expression()
    if parser.position != len(tokens):
        raise UnsupportedExpression(f"trailing tokens in {value!r}")
    return result


class _Parser:
    def __init__(self, tokens: list[str], local_values: dict[str, Any], variables: dict[str, Any]):
        self.tokens = tokens
        self.position = 0
        self.local_values = local_values
        self.variables = variables

    def _peek(self) -> str | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def _take(self, expected: str | None = None) -> str:
        token = self._peek()
        if token is None or (expected is not None and token != expected):
            raise UnsupportedExpression(f"expected {expected!r}, found {token!r}")
        self.position += 1
        return token

    def expression(self) -> Any:
        value = self._primary()
        if self._peek() == "?":
            self._take("?")
            if not isinstance(value, bool):
                raise UnsupportedExpression(f"condition is not a bool: {value!r}")
            when_true = self.expression()
            self._take(":")
            when_false = self.expression()
            return when_true if value else when_false
        return value

    def _sequence(self, closing: str) -> list[Any]:
        """Comma-separated expressions up to `closing` (a trailing comma allowed)."""
        items: list[Any] = []
        while self._peek() != closing:
            items.append(self.expression())
            if self._peek() == ",":
                self._take(",")
            elif self._peek() != closing:
                raise UnsupportedExpression(f"expected ',' or {closing!r}, found {self._peek()!r}")
        self._take(closing)
        return items

    def _primary(self) -> Any:
        token = self._take()
        if token.startswith('"'):
            return bytes(token[1:-1], "utf-8").decode("unicode_escape")
        if token == "[":
            return self._sequence("]")
        if token in ("true", "false"):
            return token == "true"
        if token == "concat":
            self._take("(")
            joined: list[Any] = []
            for part in self._sequence(")"):
                if not isinstance(part, list):
                    raise UnsupportedExpression(f"concat() of a non-list {part!r}")
                joined.extend(part)
            return joined
        if token.startswith("local."):
            name = token.removeprefix("local.")
            if name not in self.local_values:
                raise UnsupportedExpression(f"unknown local {name}")
            return evaluate(self.local_values[name], self.local_values, self.variables)
        if token.startswith("var."):
            name = token.removeprefix("var.")
            if name not in self.variables:
                raise UnsupportedExpression(f"no value given for var.{name}")
            return self.variables[name]
        raise UnsupportedExpression(f"unsupported token {token!r}")
