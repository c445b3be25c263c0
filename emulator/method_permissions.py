"""What each RPC needs: one permission, on the resource a field of its request names."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Requirement:
    """What one method needs: `permission` on the resource `resource(request)` names."""

    permission: str
    resource: Callable[[Any], str]


def _field(*path: str) -> Callable[[Any], str]:
    def read(request: Any) -> str:
        value = request
        for name in path:
            value = getattr(value, name)
        return str(value)

    return read


_NAME, _PARENT, _RESOURCE = _field("name"), _field("parent"), _field("resource")

# `Service.Method` (as the emulator's Control names them) -> what the method needs.
# Permission names: Google's per-method references (e.g. Secret Manager's "Access control with
# IAM" page, Artifact Registry's and Pub/Sub's permission lists).
METHOD_REQUIREMENTS: dict[str, Requirement] = {
    "SecretManagerService.CreateSecret": Requirement("secretmanager.secrets.create", _PARENT),
    "SecretManagerService.ListSecrets": Requirement("secretmanager.secrets.list", _PARENT),
    "SecretManagerService.GetSecret": Requirement("secretmanager.secrets.get", _NAME),
    "SecretManagerService.UpdateSecret": Requirement(
        "secretmanager.secrets.update", _field("secret", "name")
    ),
    "SecretManagerService.DeleteSecret": Requirement("secretmanager.secrets.delete", _NAME),
    "SecretManagerService.AddSecretVersion": Requirement("secretmanager.versions.add", _PARENT),
    "SecretManagerService.GetSecretVersion": Requirement("secretmanager.versions.get", _NAME),
    "SecretManagerService.AccessSecretVersion": Requirement("secretmanager.versions.access", _NAME),
    "SecretManagerService.ListSecretVersions": Requirement("secretmanager.versions.list", _PARENT),
    "SecretManagerService.EnableSecretVersion": Requirement("secretmanager.versions.enable", _NAME),
    "SecretManagerService.DisableSecretVersion": Requirement(
        "secretmanager.versions.disable", _NAME
    ),
    "SecretManagerService.DestroySecretVersion": Requirement(
        "secretmanager.versions.destroy", _NAME
    ),
    "SecretManagerService.GetIamPolicy": Requirement(
        "secretmanager.secrets.getIamPolicy", _RESOURCE
    ),
    "SecretManagerService.SetIamPolicy": Requirement(
        "secretmanager.secrets.setIamPolicy", _RESOURCE
    ),
    "ArtifactRegistry.CreateRepository": Requirement(
        "artifactregistry.repositories.create", _PARENT
    ),
    "ArtifactRegistry.GetRepository": Requirement("artifactregistry.repositories.get", _NAME),
    "ArtifactRegistry.ListRepositories": Requirement("artifactregistry.repositories.list", _PARENT),
    "ArtifactRegistry.UpdateRepository": Requirement(
        "artifactregistry.repositories.update", _field("repository", "name")
    ),
    "ArtifactRegistry.DeleteRepository": Requirement("artifactregistry.repositories.delete", _NAME),
    "ArtifactRegistry.GetIamPolicy": Requirement(
        "artifactregistry.repositories.getIamPolicy", _RESOURCE
    ),
    "ArtifactRegistry.SetIamPolicy": Requirement(
        "artifactregistry.repositories.setIamPolicy", _RESOURCE
    ),
    "Projects.GetProject": Requirement("resourcemanager.projects.get", _NAME),
    "Projects.GetIamPolicy": Requirement("resourcemanager.projects.getIamPolicy", _RESOURCE),
    "Projects.SetIamPolicy": Requirement("resourcemanager.projects.setIamPolicy", _RESOURCE),
    "Publisher.CreateTopic": Requirement("pubsub.topics.create", _NAME),
    "Publisher.GetTopic": Requirement("pubsub.topics.get", _field("topic")),
    "Publisher.Publish": Requirement("pubsub.topics.publish", _field("topic")),
    "Subscriber.CreateSubscription": Requirement("pubsub.subscriptions.create", _NAME),
    "Subscriber.GetSubscription": Requirement("pubsub.subscriptions.get", _field("subscription")),
    "Subscriber.DeleteSubscription": Requirement(
        "pubsub.subscriptions.delete", _field("subscription")
    ),
    "Subscriber.ModifyPushConfig": Requirement(
        "pubsub.subscriptions.update", _field("subscription")
    ),
}

# Methods anybody may call: TestIamPermissions needs no permission (it answers which of the
# asked permissions the caller holds).
UNCHECKED_METHODS = frozenset({"SecretManagerService.TestIamPermissions"})
