"""Subscription filters: the attribute subset of the Pub/Sub filter language, parsed once.

Supported (the doc page "Filter messages from a subscription", cloud.google.com/pubsub/docs/
subscription-message-filter): `attributes.KEY = "v"`, `attributes.KEY != "v"`, `attributes:KEY`
(the attribute exists), `hasPrefix(attributes.KEY, "p")`, `NOT` before a term, `AND`,
`OR` and parentheses; mixing AND and OR without parentheses is refused, as Pub/Sub does. A key is
a name (`[A-Za-z_][A-Za-z0-9_-]*`) or a quoted string. Anything else is INVALID_ARGUMENT naming
where the filter stops making sense.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping

from emulator.core import ApiError, invalid

Predicate = Callable[[Mapping[str, str]], bool]

_TOKEN = re.compile(
    r"""\s*(?:(?P<string>"(?:[^"\\]|\\.)*")|(?P<word>[A-Za-z_][A-Za-z0-9_-]*)|(?P<op>!=|[=:.(),]))"""
)
_KEYWORDS = {"AND", "OR", "NOT"}


def parse_filter(text: str) -> Predicate:
    """A predicate over a message's attributes; an empty filter lets everything through."""
    if not text.strip():
        return lambda attributes: True
    return _Parser(text).parse()


class _Parser:
    def __init__(self, text: str) -> None:
        self._text = text
        self._tokens: list[tuple[str, str, int]] = []  # (kind, value, offset)
        position = 0
        while position < len(text):
            if text[position:].strip() == "":
                break
            match = _TOKEN.match(text, position)
            if match is None:
                raise self._error(f"unexpected character at offset {position}")
            kind = match.lastgroup or ""
            self._tokens.append((kind, match.group(kind), match.start(kind)))
            position = match.end()
        self._at = 0

    def parse(self) -> Predicate:
        predicate = self._expression()
        if self._at < len(self._tokens):
            raise self._error(f"unexpected {self._peek_value()!r} at offset {self._offset()}")
        return predicate

    def _expression(self) -> Predicate:
        terms = [self._unary()]
        joiner: str | None = None
        while self._peek_value() in ("AND", "OR"):
            word = self._take()[1]
            if joiner is not None and word != joiner:
                raise self._error("AND and OR mixed without parentheses")
            joiner = word
            terms.append(self._unary())
        if joiner is None:
            return terms[0]
        if joiner == "AND":
            return lambda attributes: all(term(attributes) for term in terms)
        return lambda attributes: any(term(attributes) for term in terms)

    def _unary(self) -> Predicate:
        if self._peek_value() == "NOT":
            self._take()
            inner = self._unary()
            return lambda attributes: not inner(attributes)
        if self._peek_value() == "(":
            self._take()
            inner = self._expression()
            self._expect(")")
            return inner
        if self._peek_value() == "hasPrefix":
            self._take()
            self._expect("(")
            key = self._attribute_key(".")
            self._expect(",")
            prefix = self._string()
            self._expect(")")
            return lambda attributes: (
                attributes.get(key, None) is not None and attributes[key].startswith(prefix)
            )
        return self._comparison()

    def _comparison(self) -> Predicate:
        if self._peek_value() != "attributes":
            raise self._error(
                f"expected attributes.KEY, attributes:KEY, hasPrefix(...), NOT or ( at offset "
                f"{self._offset()}"
            )
        self._take()
        separator = self._take_op(".", ":")
        key = self._key()
        if separator == ":":
            return lambda attributes: key in attributes
        operator = self._take_op("=", "!=")
        value = self._string()
        if operator == "=":
            return lambda attributes: attributes.get(key) == value
        return lambda attributes: attributes.get(key) != value

    def _attribute_key(self, separator: str) -> str:
        if self._peek_value() != "attributes":
            raise self._error(f"expected attributes{separator}KEY at offset {self._offset()}")
        self._take()
        self._expect(separator)
        return self._key()

    def _key(self) -> str:
        kind, value, offset = self._take()
        if kind == "word" and value not in _KEYWORDS:
            return value
        if kind == "string":
            return str(json.loads(value))
        raise self._error(f"expected an attribute key at offset {offset}")

    def _string(self) -> str:
        kind, value, offset = self._take()
        if kind != "string":
            raise self._error(f'expected a "quoted string" at offset {offset}')
        return str(json.loads(value))

    def _take_op(self, *allowed: str) -> str:
        kind, value, offset = self._take()
        if kind != "op" or value not in allowed:
            raise self._error(f"expected {' or '.join(allowed)} at offset {offset}")
        return value

    def _expect(self, value: str) -> None:
        self._take_op(value)

    def _take(self) -> tuple[str, str, int]:
        if self._at >= len(self._tokens):
            raise self._error("the filter ends too early")
        token = self._tokens[self._at]
        self._at += 1
        return token

    def _peek_value(self) -> str | None:
        return self._tokens[self._at][1] if self._at < len(self._tokens) else None

    def _offset(self) -> int:
        return self._tokens[self._at][2] if self._at < len(self._tokens) else len(self._text)

    def _error(self, what: str) -> ApiError:
        return invalid(
            f"Invalid filter expression {self._text!r}: {what}. Supported: attributes.KEY = "
            '"v", attributes.KEY != "v", attributes:KEY, hasPrefix(attributes.KEY, "p"), NOT, '
            "AND, OR and parentheses."
        )
