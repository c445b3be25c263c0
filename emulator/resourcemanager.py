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

_NAME = re.compile(r"projects/([^/]+)")
_ROLE = re.compile(r"roles/[\w.]+|(projects|organizations)/[^/]+/roles/[\w.]+")
_MEMBER = re.compile(
    r"allUsers|allAuthenticatedUsers"
    r"|(user|serviceAccount|group|domain|principal|principalSet|deleted:\w+):\S+"
)
_SET_POLICY_FIELDS = {"bindings", "etag", "audit_configs", "version"}


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
            Rpc(
                "GetIamPolicy",
                iam_policy_pb2.GetIamPolicyRequest,
                policy_pb2.Policy,
                self.get_iam_policy,
            ),
            Rpc(
                "SetIamPolicy",
                iam_policy_pb2.SetIamPolicyRequest,
                policy_pb2.Policy,
                self.set_iam_policy,
            ),
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
        fields = set(request.update_mask.paths) or {"bindings", "etag"}
        if not fields <= _SET_POLICY_FIELDS:
            unknown = ", ".join(sorted(fields - _SET_POLICY_FIELDS))
            raise invalid(f"Invalid update_mask field(s) for a policy: {unknown}.")
        for binding in request.policy.bindings:
            _check_binding(binding)
        with self._lock:
            current = self._stored(project)
            if request.policy.etag and request.policy.etag != current.etag:
                raise ApiError(
                    grpc.StatusCode.ABORTED,
                    "There were concurrent policy changes. Please retry the whole"
                    " read-modify-write with exponential backoff.",
                )
            updated = policy_pb2.Policy()
            updated.CopyFrom(current)
            if "bindings" in fields:
                del updated.bindings[:]
                updated.bindings.extend(b for b in request.policy.bindings if b.members)
            if "audit_configs" in fields:
                del updated.audit_configs[:]
                updated.audit_configs.extend(request.policy.audit_configs)
            updated.version = request.policy.version or 1
            updated.etag = self._next_etag()
            self._policies[project.number] = updated
            return _copy(updated)

    def policy(self, project_id_or_number: str) -> policy_pb2.Policy:
        """A copy of the project's IAM policy (for tests and the RPCs)."""
        project = self._projects.resolve(project_id_or_number)
        with self._lock:
            return _copy(self._stored(project))

    def grant(self, project_id_or_number: str, role: str, member: str) -> None:
        """Add `member` to the project's binding for `role`, as an administrator would."""
        binding = policy_pb2.Binding(role=role, members=[member])
        _check_binding(binding)
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


def _check_binding(binding: policy_pb2.Binding) -> None:
    if not _ROLE.fullmatch(binding.role):
        raise invalid(f"Role '{binding.role}' is not a valid role name.")
    for member in binding.members:
        if not _MEMBER.fullmatch(member):
            raise invalid(f"Invalid member '{member}' in the binding for {binding.role}.")


def _copy(policy: policy_pb2.Policy) -> policy_pb2.Policy:
    duplicate = policy_pb2.Policy()
    duplicate.CopyFrom(policy)
    return duplicate
