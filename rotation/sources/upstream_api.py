"""Calls to an upstream's token API, with its answers sorted the way the rotation needs them:
401/403 -> PermanentError (the minting credential is wrong: retrying cannot help), 429, 5xx and
network failures -> TransientError (redeliver), other 4xx -> PermanentError with the API's reason.
A response body is quoted only for a 4xx other than 401/403; none of those carry a token.
"""

from __future__ import annotations

from typing import Any

import httpx

from rotation.errors import PermanentError, TransientError


def call(
    http: httpx.Client,
    method: str,
    url: str,
    *,
    doing: str,
    refused_remedy: str,
    accept: tuple[int, ...] = (),
    **kwargs: Any,
) -> httpx.Response:
    """`doing` names the operation for the error text, e.g. "creating a GitLab access token";
    statuses in `accept` are answers the caller handles (e.g. 404: already gone)."""
    try:
        response = http.request(method, url, **kwargs)
    except httpx.TimeoutException:
        raise TransientError(f"{doing}: {method} {url} timed out") from None
    except httpx.HTTPError as error:
        raise TransientError(f"{doing}: {method} {url} failed: {type(error).__name__}") from None
    status = response.status_code
    if status < 400 or status in accept:
        return response
    if status in (401, 403):
        raise PermanentError(f"{doing}: {method} {url} was refused (HTTP {status})", refused_remedy)
    if status == 429 or status >= 500:
        raise TransientError(f"{doing}: {method} {url} answered HTTP {status}")
    raise PermanentError(
        f"{doing}: {method} {url} answered HTTP {status}: {response.text[:300]}",
        remedy="check the source's annotations against the upstream's API",
    )


def json_field(response: httpx.Response, key: str, doing: str) -> Any:
    """A required field of a JSON answer; a malformed answer is the upstream's fault, so retry."""
    try:
        value = response.json()[key]
    except (ValueError, KeyError, TypeError):
        raise TransientError(f"{doing}: the answer has no {key!r} field") from None
    if value in (None, ""):
        raise TransientError(f"{doing}: the answer's {key!r} field is empty")
    return value
