"""IAM enforcement: each RPC needs one permission on one resource, and the caller holds it when a
binding on the resource or one of its ancestors (the resource's own policy, its project's, the
organization's) gives it a role with that permission.

Roles are the predefined ones (emulator/predefined_roles.py) and the custom roles somebody
defined with `define_role` (the tests define the Terraform module's, read from
terraform/modules/rotator/iam.tf);
each method's permission is in emulator/method_permissions.py. A binding with a condition never
counts: the emulator does not evaluate CEL, and ignoring a conditional grant can only make it
stricter than production.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import grpc
from google.iam.v1 import policy_pb2

from emulator.core import ApiError
from emulator.method_permissions import METHOD_REQUIREMENTS, UNCHECKED_METHODS
from emulator.predefined_roles import ALL_PERMISSIONS, PREDEFINED_ROLES

ALL_USERS = "allUsers"
ALL_AUTHENTICATED_USERS = "allAuthenticatedUsers"

_SECRET = re.compile(r"(projects/[^/]+/secrets/[^/]+)(/versions/[^/]+)?")
_REPOSITORY = re.compile(r"projects/[^/]+/locations/[^/]+/repositories/[^/]+")
_PROJECT = re.compile(r"projects/([^/]+)(/.*)?")

PolicyLookup = Callable[[str], policy_pb2.Policy | None]


@dataclass(frozen=True)
class PolicySources:
    """Where the policies of each kind of resource live (None: no such resource, or no policy)."""

    secret: PolicyLookup
    repository: PolicyLookup
    project: PolicyLookup


def denied(permission: str, resource: str) -> ApiError:
    """Google's wording: the same answer whether the resource is missing or the caller may not
    see it, so a caller without access learns nothing about what exists."""
    return ApiError(
        grpc.StatusCode.PERMISSION_DENIED,
        f"Permission '{permission}' denied for resource '{resource}' (or it may not exist).",
    )


def unauthenticated() -> ApiError:
    return ApiError(
        grpc.StatusCode.UNAUTHENTICATED,
        "Request is missing required authentication credential. Expected OAuth 2 access token, "
        "login cookie or other valid authentication credential.",
    )


def invalid_credentials() -> ApiError:
    return ApiError(
        grpc.StatusCode.UNAUTHENTICATED,
        "Request had invalid authentication credentials. Expected OAuth 2 access token, login "
        "cookie or other valid authentication credential.",
    )


class Authorizer:
    """Decides every call. `administrators` hold roles/owner on the organization every project
    belongs to (the emulator's stand-in for whoever set the cloud up); custom roles are defined
    with `define_role`."""

    def __init__(self, sources: PolicySources, administrators: Iterable[str] = ()) -> None:
        self._sources = sources
        self._lock = threading.Lock()
        self._custom_roles: dict[str, frozenset[str]] = {}
        self.organization = policy_pb2.Policy(
            bindings=[policy_pb2.Binding(role="roles/owner", members=sorted(administrators))]
        )

    def define_role(self, name: str, permissions: Iterable[str]) -> None:
        """Create or replace a custom role (projects/P/roles/R or organizations/O/roles/R)."""
        with self._lock:
            self._custom_roles[name] = frozenset(permissions)

    def reset(self) -> None:
        with self._lock:
            self._custom_roles.clear()

    def role_permissions(self, role: str) -> frozenset[str]:
        with self._lock:
            custom = self._custom_roles.get(role)
        return custom if custom is not None else PREDEFINED_ROLES.get(role, frozenset())

    def authorize(self, method: str, member: str, request: Any) -> None:
        """Raise PERMISSION_DENIED unless `member` holds the permission `method` needs."""
        if method in UNCHECKED_METHODS:
            return
        requirement = METHOD_REQUIREMENTS.get(method)
        if requirement is None:
            raise denied(f"(unknown method {method})", "")
        resource = requirement.resource(request)
        if not _PROJECT.fullmatch(resource):
            return  # not a resource name at all: the service answers INVALID_ARGUMENT, as Google does
        if not self.allows(member, requirement.permission, resource):
            raise denied(requirement.permission, resource)

    def allows(self, member: str, permission: str, resource: str) -> bool:
        """Whether a binding on `resource` or an ancestor gives `member` `permission`."""
        for policy in self._policies(resource):
            for binding in policy.bindings:
                if binding.condition.expression or not _matches(member, binding.members):
                    continue
                permissions = self.role_permissions(binding.role)
                if ALL_PERMISSIONS in permissions or permission in permissions:
                    return True
        return False

    def _policies(self, resource: str) -> Iterator[policy_pb2.Policy]:
        """The organization's policy, then the project's, then the resource's own, each read only
        if the ones before did not allow (any of them allowing is enough, so the order changes no
        answer; the widest first spares an administrator's many calls the narrower reads); none
        for a name outside any project."""
        project = _PROJECT.fullmatch(resource)
        if project is None:
            return
        yield self.organization
        # An unknown project has no policy: only the organization's administrators get past,
        # and the service then answers what it answers for a missing project.
        found = self._sources.project(project[1])
        if found is not None:
            yield found
        secret = _SECRET.fullmatch(resource)
        if secret:
            found = self._sources.secret(secret[1])
        elif _REPOSITORY.fullmatch(resource):
            found = self._sources.repository(resource)
        else:
            found = None
        if found is not None:
            yield found


def _matches(member: str, members: Iterable[str]) -> bool:
    return any(
        candidate in (member, ALL_USERS) or candidate == ALL_AUTHENTICATED_USERS
        for candidate in members
    )
