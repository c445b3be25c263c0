"""Artifact Registry's repository IAM policies (GetIamPolicy, SetIamPolicy on a repository).

Served as a second handler table under the ArtifactRegistry service name, so the repository
service itself stays about repositories. google_artifact_registry_repository_iam_member (the
Terraform module's per-repository binding) is a read-modify-write of this policy.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Sequence

from google.cloud import artifactregistry_v1 as ar
from google.iam.v1 import iam_policy_pb2, policy_pb2

from emulator.artifactregistry import ArtifactRegistry
from emulator.core import ApiError
from emulator.grpc_server import Rpc
from emulator.iam import check_binding, copy_policy, policy_rpcs, updated_policy


class RepositoryIam:
    service_name = ArtifactRegistry.service_name

    def __init__(self, repositories: ArtifactRegistry) -> None:
        self._repositories = repositories
        self._lock = threading.Lock()
        self._policies: dict[str, policy_pb2.Policy] = {}
        self._etags = itertools.count(1)

    def rpcs(self) -> Sequence[Rpc]:
        return (*policy_rpcs(self.get_iam_policy, self.set_iam_policy),)

    def reset(self) -> None:
        with self._lock:
            self._policies.clear()

    def get_iam_policy(self, request: iam_policy_pb2.GetIamPolicyRequest) -> policy_pb2.Policy:
        name = self._existing(request.resource)
        with self._lock:
            return copy_policy(self._stored(name))

    def set_iam_policy(self, request: iam_policy_pb2.SetIamPolicyRequest) -> policy_pb2.Policy:
        name = self._existing(request.resource)
        with self._lock:
            updated = updated_policy(self._stored(name), request, self._next_etag())
            self._policies[name] = updated
            return copy_policy(updated)

    def grant(self, repository: str, role: str, member: str) -> None:
        """Add `member` to the repository's binding for `role`, as an administrator would."""
        binding = policy_pb2.Binding(role=role, members=[member])
        check_binding(binding)
        name = self._existing(repository)
        with self._lock:
            self._stored(name).bindings.append(binding)

    def policy(self, repository: str) -> policy_pb2.Policy | None:
        """The repository's policy, None when there is no such repository."""
        try:
            name = self._existing(repository)
        except ApiError:
            return None
        with self._lock:
            return copy_policy(self._stored(name))

    def _existing(self, repository: str) -> str:
        """The repository's canonical name (project ID, not number); NOT_FOUND if it is absent."""
        found = self._repositories.get_repository(ar.GetRepositoryRequest(name=repository))
        return str(found.name)

    def _stored(self, name: str) -> policy_pb2.Policy:
        policy = self._policies.get(name)
        if policy is None:
            policy = policy_pb2.Policy(version=1, etag=self._next_etag())
            self._policies[name] = policy
        return policy

    def _next_etag(self) -> bytes:
        return next(self._etags).to_bytes(8, "big")
