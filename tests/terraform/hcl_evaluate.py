"""A tiny evaluator of the few module expressions the tests need (literal lists, `local.` and
`var.` references, `concat()` and `cond ? a : b`); it refuses anything else, so a change to those
expressions fails loudly."""

from __future__ import annotations

import re
from typing import Any

from tests.terraform.hcl import expression

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
