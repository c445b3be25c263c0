"""ListRepositories' pages: their size and the opaque token that names where the next begins."""

from __future__ import annotations

import base64

from emulator.core import invalid

MAX_PAGE_SIZE = 1000  # ListRepositoriesRequest.page_size: "Maximum page size is 1,000."
# The default is undocumented; a small one makes every caller page, as it must in production.
DEFAULT_PAGE_SIZE = 10


def page_size(requested: int) -> int:
    if requested < 0:
        raise invalid("page_size must not be negative.")
    return min(requested or DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)


def encode_page_token(last_name: str) -> str:
    return base64.urlsafe_b64encode(last_name.encode()).decode()


def decode_page_token(token: str, prefix: str) -> str:
    """The name the previous page ended with ("" for the first page); it must lie under `prefix`."""
    if not token:
        return ""
    try:
        after = base64.urlsafe_b64decode(token.encode()).decode()
    except (ValueError, UnicodeDecodeError):
        after = ""
    if not after.startswith(prefix):
        raise invalid(f"Invalid page_token '{token}'.")
    return after
