"""What each format's data path provides, and the answers every format shares."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from typing import ClassVar, Protocol

import httpx
from google.cloud import artifactregistry_v1 as ar

from emulator.core import ApiError, invalid
from emulator.remote.credential import Auth
from emulator.routing import Request, Response


@dataclass(frozen=True)
class Resolved:
    """A repository a data-path request names, its upstream and the credential to send there."""

    repository: ar.Repository
    upstream: str  # without a trailing slash
    auth: Auth | None
    prefix: str  # the repository's own path on the emulator, e.g. /PROJECT/REPOSITORY


# Looks up a repository of a format and reads its credential, or answers the error response.
Resolver = Callable[[str, str, str], "Resolved | Response"]
# Adds a route to the emulator's HTTP server.
Router = Callable[[str, str, Callable[[Request], Response]], None]


class RemoteFormat(Protocol):
    format: ClassVar[str]  # the name of its ar.Repository.Format: PYTHON, DOCKER, NPM, MAVEN
    # Says why a repository without a custom upstream cannot be served (the public upstream,
    # which the emulator never reaches).
    public_upstream: ClassVar[str]

    def upstream_of(self, repository: ar.Repository) -> str:
        """The custom upstream URL the repository proxies, without a trailing slash; "" for the
        format's public upstream."""

    def forward(self, http: httpx.Client, request: Request, resolved: Resolved) -> Response:
        """Answer a client's request on the repository's path by asking the upstream."""

    def validate(self, http: httpx.Client, upstream: str, auth: Auth) -> None:
        """Artifact Registry's check of the upstream and the credential on create and update;
        raises `refused` or `unreachable`."""

    def install(self, route: Router, resolve: Resolver, http: httpx.Client) -> None:
        """Routes of the format's own besides /PROJECT/REPOSITORY/PATH (Docker's /v2/), whose
        requests upstream go through `http`, the data path's client."""


def text(status: HTTPStatus, message: str) -> Response:
    return Response(status, message.encode(), "text/plain; charset=utf-8")


def refused_by_upstream(status: int) -> Response:
    """What a client sees when the upstream refuses the repository's credential."""
    return text(
        HTTPStatus.FORBIDDEN, f"The upstream refused this repository's credentials (HTTP {status})."
    )


def refused(status: int) -> ApiError:
    """Production's wording for a credential the upstream refused (emulator/FIDELITY.md)."""
    return invalid(
        "Failed to validate remote upstream: generic::unauthenticated: Unauthorized error "
        f"returned by the external repository (HTTP {status})... this typically means your "
        "upstream credentials are invalid"
    )


def unreachable(upstream: str, error: Exception) -> ApiError:
    return invalid(
        f"Failed to validate remote upstream: {upstream} is unreachable ({type(error).__name__})."
    )


def judge(answer: httpx.Response) -> None:
    """A validation's verdict on the upstream's answer to a request with the credential."""
    if answer.status_code in (401, 403):
        raise refused(answer.status_code)
    if not answer.is_success:
        raise invalid(
            "Failed to validate remote upstream: the external repository answered HTTP "
            f"{answer.status_code}."
        )
