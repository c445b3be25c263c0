"""IAM policies as every emulated service keeps them: one read-modify-write contract, one
validation of roles and members, for secrets and projects alike."""

from __future__ import annotations

import re
from collections.abc import Callable

import grpc
from google.iam.v1 import iam_policy_pb2, policy_pb2

from emulator.core import ApiError, invalid
from emulator.grpc_server import Rpc

_ROLE = re.compile(r"roles/[\w.]+|(projects|organizations)/[^/]+/roles/[\w.]+")
_MEMBER = re.compile(
    r"allUsers|allAuthenticatedUsers"
    r"|(user|serviceAccount|group|domain|principal|principalSet|deleted:\w+):\S+"
)
_SET_POLICY_FIELDS = {"bindings", "etag", "audit_configs", "version"}


def check_binding(binding: policy_pb2.Binding) -> None:
    if not _ROLE.fullmatch(binding.role):
        raise invalid(f"Role '{binding.role}' is not a valid role name.")
    for member in binding.members:
        if not _MEMBER.fullmatch(member):
            raise invalid(f"Invalid member '{member}' in the binding for {binding.role}.")


def copy_policy(policy: policy_pb2.Policy) -> policy_pb2.Policy:
    duplicate = policy_pb2.Policy()
    duplicate.CopyFrom(policy)
    return duplicate


def updated_policy(
    current: policy_pb2.Policy, request: iam_policy_pb2.SetIamPolicyRequest, etag: bytes
) -> policy_pb2.Policy:
    """The policy a SetIamPolicy request leaves: a stale etag gives ABORTED, as Cloud IAM's
    read-modify-write contract says; only the fields in the update mask change (bindings and etag
    when it is empty); bindings without members are dropped."""
    fields = set(request.update_mask.paths) or {"bindings", "etag"}
    if not fields <= _SET_POLICY_FIELDS:
        unknown = ", ".join(sorted(fields - _SET_POLICY_FIELDS))
        raise invalid(f"Invalid update_mask field(s) for a policy: {unknown}.")
    for binding in request.policy.bindings:
        check_binding(binding)
    if request.policy.etag and request.policy.etag != current.etag:
        raise ApiError(
            grpc.StatusCode.ABORTED,
            "There were concurrent policy changes. Please retry the whole read-modify-write "
            "with exponential backoff.",
        )
    updated = copy_policy(current)
    if "bindings" in fields:
        del updated.bindings[:]
        updated.bindings.extend(b for b in request.policy.bindings if b.members)
    if "audit_configs" in fields:
        del updated.audit_configs[:]
        updated.audit_configs.extend(request.policy.audit_configs)
    updated.version = request.policy.version or 1
    updated.etag = etag
    return updated


def policy_rpcs(
    get_policy: Callable[[iam_policy_pb2.GetIamPolicyRequest], policy_pb2.Policy],
    set_policy: Callable[[iam_policy_pb2.SetIamPolicyRequest], policy_pb2.Policy],
) -> tuple[Rpc, Rpc]:
    """GetIamPolicy and SetIamPolicy, as every service with resource policies serves them."""
    return (
        Rpc("GetIamPolicy", iam_policy_pb2.GetIamPolicyRequest, policy_pb2.Policy, get_policy),
        Rpc("SetIamPolicy", iam_policy_pb2.SetIamPolicyRequest, policy_pb2.Policy, set_policy),
    )
