"""Pages and the small filter syntax of ListSecrets and ListSecretVersions."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TypeVar

from emulator.core import invalid

T = TypeVar("T")
MAX_PAGE_SIZE = 25_000
# With page_size 0 "the server decides the number of results to return" (ListSecretsRequest,
# ListSecretVersionsRequest): a small page makes every caller page, as it must in production.
DEFAULT_PAGE_SIZE = 10

_FILTER_TERM = re.compile(r"(-)?([A-Za-z0-9_.-]+)([:=])(.+)")


def page(items: list[T], page_size: int, page_token: str) -> tuple[list[T], str]:
    """One page of `items` and the token of the next, empty after the last."""
    if not 0 <= page_size <= MAX_PAGE_SIZE:
        raise invalid(f"page_size must be between 0 and {MAX_PAGE_SIZE}.")
    if page_token and not page_token.isdigit():
        raise invalid("Invalid page token.")
    start = int(page_token or 0)
    end = start + (page_size or DEFAULT_PAGE_SIZE)
    return items[start:end], str(end) if end < len(items) else ""


def matches(expression: str, fields: Mapping[str, str], prefixes: tuple[str, ...] = ()) -> bool:
    """A small part of the list filter syntax: `key:value` (contains) and `key=value` terms,
    each optionally negated with `NOT` or `-`, all ANDed. Unknown keys are INVALID_ARGUMENT."""
    negate = False
    for word in expression.split():
        if word in ("AND", "NOT"):
            negate = word == "NOT"
            continue
        term = _FILTER_TERM.fullmatch(word)
        if term is None:
            raise invalid(f"Invalid filter: {expression}")
        minus, key, operator, value = term.groups()
        if key not in fields and not any(key.startswith(prefix) for prefix in prefixes):
            raise invalid(f"Invalid filter: unknown field {key}")
        actual, value = fields.get(key), value.strip('"')
        hit = actual is not None and (
            actual == value if operator == "=" else value.lower() in actual.lower()
        )
        if hit == (negate or bool(minus)):
            return False
        negate = False
    return True
