"""The predefined IAM roles the emulator knows, each with the permissions it holds among those
the emulator's methods need (source: Google's "IAM roles and permissions" reference,
https://cloud.google.com/iam/docs/roles-permissions)."""

from __future__ import annotations

ALL_PERMISSIONS = "*"

_SECRET_MANAGER_VIEWER = frozenset(
    {
        "secretmanager.secrets.get",
        "secretmanager.secrets.getIamPolicy",
        "secretmanager.secrets.list",
        "secretmanager.versions.get",
        "secretmanager.versions.list",
        "resourcemanager.projects.get",
    }
)
_SECRET_VERSION_MANAGER = frozenset(
    {
        "secretmanager.versions.add",
        "secretmanager.versions.destroy",
        "secretmanager.versions.disable",
        "secretmanager.versions.enable",
        "secretmanager.versions.get",
        "secretmanager.versions.list",
        "resourcemanager.projects.get",
    }
)
_SECRET_MANAGER_ADMIN = (
    _SECRET_MANAGER_VIEWER
    | _SECRET_VERSION_MANAGER
    | {
        "secretmanager.secrets.create",
        "secretmanager.secrets.delete",
        "secretmanager.secrets.setIamPolicy",
        "secretmanager.secrets.update",
        "secretmanager.versions.access",
    }
)
_ARTIFACT_REGISTRY_READER = frozenset(
    {"artifactregistry.repositories.get", "artifactregistry.repositories.list"}
)

# Predefined role -> the permissions it holds among those the emulator's methods need.
PREDEFINED_ROLES: dict[str, frozenset[str]] = {
    # Basic roles (https://cloud.google.com/iam/docs/roles-overview#basic): Owner holds every
    # permission of the services here, IAM policy changes included.
    "roles/owner": frozenset({ALL_PERMISSIONS}),
    # https://cloud.google.com/iam/docs/roles-permissions/secretmanager
    "roles/secretmanager.admin": _SECRET_MANAGER_ADMIN,
    "roles/secretmanager.viewer": _SECRET_MANAGER_VIEWER,
    "roles/secretmanager.secretAccessor": frozenset(
        {"secretmanager.versions.access", "resourcemanager.projects.get"}
    ),
    "roles/secretmanager.secretVersionAdder": frozenset({"secretmanager.versions.add"}),
    "roles/secretmanager.secretVersionManager": _SECRET_VERSION_MANAGER,
    # https://cloud.google.com/iam/docs/roles-permissions/artifactregistry
    "roles/artifactregistry.reader": _ARTIFACT_REGISTRY_READER,
    "roles/artifactregistry.admin": _ARTIFACT_REGISTRY_READER
    | {
        "artifactregistry.repositories.create",
        "artifactregistry.repositories.delete",
        "artifactregistry.repositories.update",
        "artifactregistry.repositories.getIamPolicy",
        "artifactregistry.repositories.setIamPolicy",
        "resourcemanager.projects.get",
    },
    # https://cloud.google.com/iam/docs/roles-permissions/pubsub
    "roles/pubsub.publisher": frozenset({"pubsub.topics.publish"}),
    "roles/pubsub.viewer": frozenset({"pubsub.topics.get"}),
    # https://cloud.google.com/iam/docs/roles-permissions/resourcemanager
    "roles/browser": frozenset({"resourcemanager.projects.get"}),
    "roles/iam.securityReviewer": frozenset(
        {
            "resourcemanager.projects.getIamPolicy",
            "secretmanager.secrets.getIamPolicy",
            "artifactregistry.repositories.getIamPolicy",
        }
    ),
}
