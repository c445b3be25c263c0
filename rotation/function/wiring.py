"""The function's wiring: its settings, and the Google adapters and token sources a rotation
talks through, built once per instance. The command line reuses it."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from datetime import datetime

import httpx

from rotation.core.managed_secret import Services
from rotation.core.settings import Settings
from rotation.function.clock import clock_from
from rotation.gcp import clients
from rotation.gcp.artifact_registry import RepositoryStore
from rotation.gcp.deadlines import call_policies
from rotation.gcp.id_tokens import google_id_token
from rotation.gcp.resource_manager import ProjectDirectory
from rotation.gcp.secret_access import AccessChecker
from rotation.gcp.secret_manager import SecretStore
from rotation.sources import build_sources
from rotation.sources.egress_guard import guard

_HTTP_TIMEOUT = httpx.Timeout(10.0, connect=5.0)


@functools.cache
def settings() -> Settings:
    return Settings.from_env()


@functools.cache
def clock() -> Callable[[], datetime]:
    """What "now" is for this instance: the system's clock, or the emulator's (see clock.py)."""
    return clock_from(dict(os.environ))


@functools.cache
def services() -> Services:
    """The adapters and their clients, built on the first rotation and reused by every later one."""
    return build_services(settings())


def build_services(config: Settings | None = None) -> Services:
    calls = call_policies(config or Settings())
    http = httpx.Client(
        timeout=_HTTP_TIMEOUT,
        follow_redirects=True,
        headers={"User-Agent": clients.user_agent()},
        event_hooks={"request": [guard]},
    )
    secrets = SecretStore(calls=calls)
    projects = ProjectDirectory(calls=calls)
    return Services(
        secrets=secrets,
        repositories=RepositoryStore(calls=calls, project_number=projects.number),
        projects=projects,
        access=AccessChecker(secrets, projects),
        sources=build_sources(http, google_id_token),
    )
