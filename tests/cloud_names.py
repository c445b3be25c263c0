"""The test cloud's names: its projects, location, topic and service agents, the function's
account, and the root tokens its secrets start from."""

from __future__ import annotations

import secrets as random_secrets
from datetime import timedelta

import pypitoken

from tests.module_grants import MODULE_GRANTS

PROJECT = "demo-project"
PROJECT_NUMBER = "123456789012"
OTHER_PROJECT = "other-project"
OTHER_NUMBER = "210987654321"
LOCATION = "us-central1"
TOPIC = f"projects/{PROJECT}/topics/secret-events"
ROTATION_PERIOD = timedelta(days=30)
AR_AGENT = (
    f"serviceAccount:service-{PROJECT_NUMBER}@gcp-sa-artifactregistry.iam.gserviceaccount.com"
)
OTHER_AR_AGENT = (
    f"serviceAccount:service-{OTHER_NUMBER}@gcp-sa-artifactregistry.iam.gserviceaccount.com"
)


def root_token() -> str:
    """A PyPI-shaped root token, as PyPI's web UI would hand one out."""
    key = random_secrets.token_hex(32)
    return pypitoken.Token.create(
        domain="pypi.org", identifier=random_secrets.token_hex(8), key=key
    ).dump()


def repository_name(repository_id: str, project: str = PROJECT) -> str:
    return f"projects/{project}/locations/{LOCATION}/repositories/{repository_id}"


FUNCTION_ACCOUNT = MODULE_GRANTS.email(PROJECT)
FUNCTION_MEMBER = MODULE_GRANTS.member(PROJECT)
