"""What the playground's file declares, as plain values (loading.py reads and checks it)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

# In an annotation value: the token authority's URL, whose port is picked at start.
AUTHORITY_PLACEHOLDER = "{authority}"
ARTIFACT_REGISTRY_AGENT = (
    "serviceAccount:service-{number}@gcp-sa-artifactregistry.iam.gserviceaccount.com"
)


@dataclass(frozen=True)
class Package:
    name: str
    version: str


@dataclass(frozen=True)
class FirstToken:
    """Version 1 of a secret: `kind` gitlab (a project access token of `value`, a project path),
    artifactory (a token described `value`), minting (a minting token of the API `value`) or
    literal (`value` itself)."""

    kind: str
    value: str


@dataclass(frozen=True)
class Schedule:
    first: timedelta  # the first rotation, after the start
    period: timedelta


@dataclass(frozen=True)
class SecretSpec:
    project: str
    id: str
    topics: tuple[str, ...] = ()  # full topic names
    annotations: dict[str, str] = field(default_factory=dict)
    rotation: Schedule | None = None
    first_token: FirstToken | None = None

    @property
    def name(self) -> str:
        return f"projects/{self.project}/secrets/{self.id}"


@dataclass(frozen=True)
class Grant:
    """`role` on the secret `secret` (a full name) for `member`, or for the Artifact Registry
    service agent of the project `agent_of`."""

    secret: str
    role: str
    member: str | None = None
    agent_of: str | None = None


@dataclass(frozen=True)
class Upstream:
    """A GitLab project's PyPI endpoint at the token authority, or a URL."""

    gitlab_project: str | None = None
    url: str | None = None

    def uri(self, authority_url: str) -> str:
        if self.url is not None:
            return self.url
        encoded = quote(self.gitlab_project or "", safe="")
        return f"{authority_url}/api/v4/projects/{encoded}/packages/pypi/simple"


@dataclass(frozen=True)
class RepositorySpec:
    project: str
    location: str
    id: str
    upstream: Upstream
    username: str
    password_secret: str  # a full secret name
    password_version: int

    @property
    def parent(self) -> str:
        return f"projects/{self.project}/locations/{self.location}"

    @property
    def name(self) -> str:
        return f"{self.parent}/repositories/{self.id}"


@dataclass(frozen=True)
class PlaygroundConfig:
    file: Path
    project: str  # the default project, exported as GOOGLE_CLOUD_PROJECT
    projects: dict[str, int]
    packages: tuple[Package, ...]
    topics: tuple[str, ...]  # full topic names
    secrets: tuple[SecretSpec, ...]
    grants: tuple[Grant, ...]
    repositories: tuple[RepositorySpec, ...]

    def gitlab_projects(self) -> set[str]:
        """The GitLab projects the authority must know: those a token or an upstream names."""
        named = {
            s.first_token.value
            for s in self.secrets
            if s.first_token and s.first_token.kind == "gitlab"
        }
        named |= {
            s.annotations["token-rotator.gitlab-project"]
            for s in self.secrets
            if "token-rotator.gitlab-project" in s.annotations
        }
        return named | {
            r.upstream.gitlab_project for r in self.repositories if r.upstream.gitlab_project
        }

    def rotated(self) -> list[SecretSpec]:
        """The secrets the function manages (those with a token-rotator.source annotation)."""
        return [s for s in self.secrets if "token-rotator.source" in s.annotations]

    def first_rotation(self) -> timedelta | None:
        """The earliest first rotation the file schedules, after the start."""
        return min((s.rotation.first for s in self.secrets if s.rotation), default=None)
