"""Artifact Registry's service agents: who reads a repository's upstream password, and the
command that lets one read a secret."""

from __future__ import annotations

ACCESSOR_ROLE = "roles/secretmanager.secretAccessor"


def service_agent(project_number: str) -> str:
    """The member Artifact Registry reads upstream passwords as, for one repository project."""
    return (
        f"serviceAccount:service-{project_number}@gcp-sa-artifactregistry.iam.gserviceaccount.com"
    )


def grant_command(secret: str, member: str) -> str:
    _, project, _, secret_id = secret.split("/")
    return (
        f"gcloud secrets add-iam-policy-binding {secret_id} --project={project} "
        f"--member={member} --role={ACCESSOR_ROLE}"
    )
