"""Project ids and numbers, and project IAM policies, through Resource Manager.

Numbers never change, so they are cached for the life of the instance.
"""

from __future__ import annotations

import threading
from typing import Any

from google.api_core import exceptions as google_exceptions
from google.iam.v1 import policy_pb2

from rotation.gcp import clients
from rotation.gcp.deadlines import DEFAULT_POLICIES, CallPolicies
from rotation.gcp.errors import google_call


class ProjectDirectory:
    def __init__(self, client: Any = None, calls: CallPolicies = DEFAULT_POLICIES) -> None:
        self._client = client or clients.projects()
        self._read = calls.read.options()
        self._numbers: dict[str, str] = {}
        self._lock = threading.Lock()
        self._lookups: dict[str, threading.Lock] = {}

    def number(self, project: str) -> str:
        """The project number for an id or a number (a number is returned as it is)."""
        if project.isdigit():
            return project
        with self._lock:
            cached = self._numbers.get(project)
            lookup = self._lookups.setdefault(project, threading.Lock())
        if cached:
            return cached
        with lookup:  # parallel reads of one project's secrets look its number up once
            with self._lock:
                cached = self._numbers.get(project)
            if cached:
                return cached
            with google_call(f"looking up the number of project {project}"):
                found = self._client.get_project(name=f"projects/{project}", **self._read)
            number = str(found.name.split("/")[1])
            with self._lock:
                self._numbers[project] = number
            return number

    def policy(self, project: str) -> policy_pb2.Policy | None:
        """The project's IAM policy, or None where the function may not read it."""
        with google_call(f"reading the IAM policy of project {project}"):
            try:
                return self._client.get_iam_policy(
                    request={
                        "resource": f"projects/{project}",
                        "options": {"requested_policy_version": 3},
                    },
                    **self._read,
                )
            except google_exceptions.PermissionDenied:
                return None
