"""A secret's IAM policy: the GetIamPolicy, SetIamPolicy and TestIamPermissions RPCs.

The service enforces nothing itself: callers are checked before a call (emulator/authorization.py).
"""

from __future__ import annotations

from google.iam.v1 import iam_policy_pb2, policy_pb2

from emulator.core import ApiError
from emulator.iam import check_binding, copy_policy, updated_policy
from emulator.secretmanager.table import SecretTable


class PolicyRpcs:
    """Handlers of the IAM RPCs; the caller holds the service's lock around every call."""

    def __init__(self, table: SecretTable) -> None:
        self._table = table

    def get_policy(self, request: iam_policy_pb2.GetIamPolicyRequest) -> policy_pb2.Policy:
        return copy_policy(self._table.entry(request.resource).policy)

    def set_policy(self, request: iam_policy_pb2.SetIamPolicyRequest) -> policy_pb2.Policy:
        entry = self._table.entry(request.resource)
        entry.policy = updated_policy(entry.policy, request, self._table.policy_etag())
        return copy_policy(entry.policy)

    def test_permissions(
        self, request: iam_policy_pb2.TestIamPermissionsRequest
    ) -> iam_policy_pb2.TestIamPermissionsResponse:
        """Every permission asked for: without a caller identity, the caller holds them all."""
        self._table.entry(request.resource)
        return iam_policy_pb2.TestIamPermissionsResponse(permissions=list(request.permissions))

    def policy_or_none(self, secret: str) -> policy_pb2.Policy | None:
        """A copy of the secret's policy, None when there is no such secret."""
        try:
            return copy_policy(self._table.entry(secret).policy)
        except ApiError:
            return None

    def grant(self, secret: str, role: str, member: str) -> None:
        """Add a binding of `role` for `member` to the secret's policy."""
        binding = policy_pb2.Binding(role=role, members=[member])
        check_binding(binding)
        entry = self._table.entry(secret)
        entry.policy.bindings.append(binding)
        entry.policy.etag = self._table.policy_etag()
