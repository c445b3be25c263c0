"""The secrets and projects the user names on the command line."""

from __future__ import annotations

import os

from rotation.core.annotation_values import SECRET, SECRET_ID
from rotation.core.errors import ConfigError

_PROJECT_VARIABLES = ("GOOGLE_CLOUD_PROJECT", "CLOUDSDK_CORE_PROJECT")


class UsageError(ConfigError):
    """The command line names something this tool cannot act on."""


def secret_name(text: str, project: str | None) -> str:
    if SECRET.match(text):
        return text
    if SECRET_ID.match(text):
        chosen = project_of(project, f"give projects/PROJECT/secrets/{text}, or --project")
        return f"projects/{chosen}/secrets/{text}"
    raise UsageError(
        f"{text!r} is not a secret name",
        remedy="give projects/PROJECT/secrets/SECRET, or a secret id with --project "
        "(regional secrets are not supported)",
    )


def project_of(given: str | None, remedy: str) -> str:
    project = given or next((os.environ[v] for v in _PROJECT_VARIABLES if os.environ.get(v)), None)
    if not project:
        raise UsageError("no project given", remedy=remedy)
    return project
