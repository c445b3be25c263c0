"""Resource Manager v3 Projects: project lookup (id <-> number) and project-level IAM policies.

Like the real service, an unknown project answers PERMISSION_DENIED ("or it may not exist"),
not NOT_FOUND, and a stale policy etag answers ABORTED.
"""

from __future__ import annotations

import itertools
import re
import threading
from collections.abc import Sequence

import grpc
from google.cloud import resourcemanager_v3 as rm
from google.iam.v1 import iam_policy_pb2, policy_pb2

from emulator.core import ApiError, Project, Projects, invalid
from emulator.grpc_server import Rpc
from emulator.iam import check_binding, copy_policy, policy_rpcs, updated_policy

_NAME = re.compile(r"projects/([^/]+)")


class ResourceManager:
    """google.cloud.resourcemanager.v3.Projects: GetProject, GetIamPolicy, SetIamPolicy."""

    service_name = "google.cloud.resourcemanager.v3.Projects"

    def __init__(self, projects: Projects) -> None:
        self._projects = projects
        self._lock = threading.Lock()
        self._policies: dict[int, policy_pb2.Policy] = {}
        # Never restarted, so an etag read before a reset cannot match a policy made after it.
        self._etags = itertools.count(1)

    def rpcs(self) -> Sequence[Rpc]:
        return (
            Rpc("GetProject", rm.GetProjectRequest, rm.Project, self.get_project),
            *policy_rpcs(self.get_iam_policy, self.set_iam_policy),
        )

    def reset(self) -> None:
        with self._lock:
            self._policies.clear()

    def get_project(self, request: rm.GetProjectRequest) -> rm.Project:
        project = self._project(request.name)
        return rm.Project(
            name=f"projects/{project.number}",
            project_id=project.project_id,
            display_name=project.project_id,
            state=rm.Project.State.ACTIVE,
        )

    def get_iam_policy(self, request: iam_policy_pb2.GetIamPolicyRequest) -> policy_pb2.Policy:
        return self.policy(self._project(request.resource).project_id)

    def set_iam_policy(self, request: iam_policy_pb2.SetIamPolicyRequest) -> policy_pb2.Policy:
        project = self._project(request.resource)
        with self._lock:
            updated = updated_policy(self._stored(project), request, self._next_etag())
            self._policies[project.number] = updated
            return copy_policy(updated)

    def policy(self, project_id_or_number: str) -> policy_pb2.Policy:
        """A copy of the project's IAM policy (for tests and the RPCs)."""
        project = self._projects.resolve(project_id_or_number)
        with self._lock:
            return copy_policy(self._stored(project))

    def grant(self, project_id_or_number: str, role: str, member: str) -> None:
        """Add `member` to the project's binding for `role`, as an administrator would."""
        binding = policy_pb2.Binding(role=role, members=[member])
        check_binding(binding)
        project = self._projects.resolve(project_id_or_number)
        with self._lock:
            policy = self._stored(project)
            existing = next(
                (b for b in policy.bindings if b.role == role and not b.condition.expression), None
            )
            if existing is None:
                policy.bindings.append(binding)
            elif member not in existing.members:
                existing.members.append(member)
            policy.etag = self._next_etag()

    def _project(self, name: str) -> Project:
        match = _NAME.fullmatch(name)
        if match is None:
            raise invalid(f"Invalid project name '{name}': expected projects/*.")
        try:
            return self._projects.resolve(match[1])
        except ApiError as error:
            raise ApiError(
                grpc.StatusCode.PERMISSION_DENIED,
                f"The caller does not have permission on {name} (or it may not exist).",
            ) from error

    def _stored(self, project: Project) -> policy_pb2.Policy:
        """The live policy (callers hold the lock); a project starts with an empty one."""
        policy = self._policies.get(project.number)
        if policy is None:
            policy = policy_pb2.Policy(version=1, etag=self._next_etag())
            self._policies[project.number] = policy
        return policy

    def _next_etag(self) -> bytes:
        return next(self._etags).to_bytes(8, "big")
