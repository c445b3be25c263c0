"""Every Google API method the deployed function calls, and the IAM permission each one needs.

Terraform's custom role is checked against this table, and this table against the calls the
emulator records while a fresh function rotates through every path that calls one
(tests/terraform/test_role_contract.py), so the role grants exactly what the code uses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

FUNCTION_METHODS: dict[str, str] = {
    "SecretManagerService.GetSecret": "secretmanager.secrets.get",
    "SecretManagerService.UpdateSecret": "secretmanager.secrets.update",
    "SecretManagerService.AddSecretVersion": "secretmanager.versions.add",
    "SecretManagerService.ListSecretVersions": "secretmanager.versions.list",
    "SecretManagerService.AccessSecretVersion": "secretmanager.versions.access",
    "SecretManagerService.DisableSecretVersion": "secretmanager.versions.disable",
    "SecretManagerService.DestroySecretVersion": "secretmanager.versions.destroy",
    "SecretManagerService.GetIamPolicy": "secretmanager.secrets.getIamPolicy",
    "SecretManagerService.SetIamPolicy": "secretmanager.secrets.setIamPolicy",
    "ArtifactRegistry.GetRepository": "artifactregistry.repositories.get",
    "ArtifactRegistry.ListRepositories": "artifactregistry.repositories.list",
    "ArtifactRegistry.UpdateRepository": "artifactregistry.repositories.update",
    "Projects.GetProject": "resourcemanager.projects.get",
    "Projects.GetIamPolicy": "resourcemanager.projects.getIamPolicy",
    # The audit (function.audit_run): list each audited project's secrets, read the topics they
    # notify.
    "SecretManagerService.ListSecrets": "secretmanager.secrets.list",
    "Publisher.GetTopic": "pubsub.topics.get",
}


def function_permissions() -> set[str]:
    return set(FUNCTION_METHODS.values())


@dataclass(frozen=True)
class RolesHolding:
    """Roles that hold a permission: the Terraform module's custom role (its ID after
    var.role_id_prefix) and a predefined role, for operators who grant by hand."""

    module_role_suffix: str
    predefined_role: str


# Checked against terraform/modules/rotator/iam.tf and the emulator's predefined roles by
# tests/terraform/test_role_contract.py.
ROLES_HOLDING: dict[str, RolesHolding] = {
    "secretmanager.secrets.get": RolesHolding("Secret", "roles/secretmanager.viewer"),
    "secretmanager.secrets.update": RolesHolding("Secret", "roles/secretmanager.admin"),
    "secretmanager.versions.add": RolesHolding("Secret", "roles/secretmanager.secretVersionAdder"),
    "secretmanager.versions.list": RolesHolding("Secret", "roles/secretmanager.viewer"),
    "secretmanager.versions.access": RolesHolding("Secret", "roles/secretmanager.secretAccessor"),
    "secretmanager.versions.disable": RolesHolding(
        "Secret", "roles/secretmanager.secretVersionManager"
    ),
    "secretmanager.versions.destroy": RolesHolding(
        "Secret", "roles/secretmanager.secretVersionManager"
    ),
    "secretmanager.secrets.getIamPolicy": RolesHolding("Secret", "roles/secretmanager.viewer"),
    "secretmanager.secrets.setIamPolicy": RolesHolding("Secret", "roles/secretmanager.admin"),
    "artifactregistry.repositories.get": RolesHolding(
        "Repository", "roles/artifactregistry.reader"
    ),
    "artifactregistry.repositories.update": RolesHolding(
        "Repository", "roles/artifactregistry.admin"
    ),
    "artifactregistry.repositories.list": RolesHolding("Project", "roles/artifactregistry.reader"),
    "resourcemanager.projects.get": RolesHolding("Project", "roles/browser"),
    "resourcemanager.projects.getIamPolicy": RolesHolding("Project", "roles/iam.securityReviewer"),
    "secretmanager.secrets.list": RolesHolding("Project", "roles/secretmanager.viewer"),
    "pubsub.topics.get": RolesHolding("Project", "roles/pubsub.viewer"),
}

# Google's wording: "Permission 'P' denied for resource 'R' (or it may not exist)."
_DENIED = re.compile(
    r"Permission '(?P<permission>[\w.]+)' denied (?:for|on) resource '(?P<resource>[^']*)'"
)


def permission_denied_remedy(message: str) -> str:
    """What to grant, read from a PERMISSION_DENIED message: the permission, where, and roles
    that hold it."""
    match = _DENIED.search(message)
    if match is None:
        return (
            "grant the function's service account the permission named above (the terraform "
            "module's custom roles hold every permission the function needs)"
        )
    permission, resource = match["permission"], match["resource"]
    holding = ROLES_HOLDING.get(permission)
    roles = (
        f": the terraform module's custom role <role_id_prefix>{holding.module_role_suffix} "
        f"(tokenRotator{holding.module_role_suffix} by default) or the predefined role "
        f"{holding.predefined_role} holds it"
        if holding
        else ""
    )
    grant = f"grant the function's service account {permission} on {resource}{roles}"
    if "may not exist" in message:
        # Google answers PERMISSION_DENIED, not NOT_FOUND, to a caller that may not see the name.
        return f"{grant}; if it holds that already, check that {resource} exists"
    return grant
