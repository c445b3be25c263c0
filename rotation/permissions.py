"""Every Google API method the deployed function calls, and the IAM permission each one needs.

Terraform's custom role is checked against this table, and this table against the calls the
emulator records while the test suite runs, so the role grants exactly what the code uses.
"""

from __future__ import annotations

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
}


def function_permissions() -> set[str]:
    return set(FUNCTION_METHODS.values())
