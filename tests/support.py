"""Building blocks for end-to-end tests: secrets, repositories, topics and events in the emulator."""

from __future__ import annotations

import json
import secrets as random_secrets
from datetime import datetime, timedelta

import pypitoken
from google.cloud import artifactregistry_v1, secretmanager_v1
from google.cloud.pubsub_v1 import PublisherClient

from emulator import Emulator
from rotation.core import notifications
from rotation.gcp import clients
from rotation.gcp.pubsub import Publisher
from rotation.gcp.secret_manager import SecretStore
from tests.module_grants import MODULE_GRANTS, ModuleGrants

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


class World:
    """The cloud side of a test: creates what a platform team would have, and reads it back.

    Its own calls run as the emulator's administrator. Each secret with token-rotator.*
    annotations is managed by an instance of the Terraform module: the function's service account
    gets exactly the module's grants on it, its read secrets, its project and, once they exist,
    its repositories (tests/module_grants.py)."""

    def __init__(
        self,
        emulator: Emulator,
        function_url: str | None = None,
        grants: ModuleGrants = MODULE_GRANTS,
    ) -> None:
        self.emulator = emulator
        self.grants = grants
        self._repository_roles: dict[str, str] = {}  # repository -> the module's role to bind
        self.sm = clients.secret_manager()
        self.ar = clients.artifact_registry()
        self.publisher = PublisherClient()
        self.publisher.create_topic(name=TOPIC)
        if function_url:
            emulator.pubsub.set_push_endpoint(TOPIC, function_url)

    def secret(
        self,
        secret_id: str,
        annotations: dict[str, str] | None = None,
        payload: str | None = None,
        rotation: bool = True,
        project: str = PROJECT,
    ) -> str:
        secret = secretmanager_v1.Secret(
            replication={"automatic": {}},
            annotations=annotations or {},
            topics=[{"name": TOPIC}] if rotation else [],
        )
        if rotation:
            secret.rotation = secretmanager_v1.Rotation(
                next_rotation_time=self.emulator.clock.now() + timedelta(hours=1),
                rotation_period=ROTATION_PERIOD,
            )
        created = self.sm.create_secret(
            parent=f"projects/{project}", secret_id=secret_id, secret=secret
        )
        if payload is not None:
            self.sm.add_secret_version(parent=created.name, payload={"data": payload.encode()})
        if "token-rotator.source" in secret.annotations:
            self.apply_module_grants(str(created.name), dict(secret.annotations), project)
        return str(created.name)

    def apply_module_grants(self, secret: str, annotations: dict[str, str], project: str) -> None:
        """What `terraform apply` of the module grants the function for `secret`."""
        grant_access = annotations.get("token-rotator.grant-access", "false") == "true"
        role = self.grants.repository_role(project, grant_access)
        for repository in self.grants.apply(self.emulator, secret, annotations, project):
            self._repository_roles[repository] = role
            if self.emulator.repository_iam.policy(repository) is not None:
                self._grant_repository(repository)

    def grant_outside_the_module(
        self, project: str, repositories: tuple[str, ...] = (), discovery: bool = False
    ) -> None:
        """What an operator must grant by hand for repositories in `project`, outside the
        module's: the module's project and repository roles, defined there too (a project's
        custom role cannot be bound in another project), on the project and on each repository
        (or on the project, with discovery)."""
        self.grants.define_roles(self.emulator, project, grant_access=False)
        member = self.grants.member(PROJECT)
        project_role = self.grants.role_name(project, "project", grant_access=False)
        repository_role = self.grants.role_name(project, "repository", grant_access=False)
        self.emulator.resource_manager.grant(project, project_role, member)
        if discovery:
            self.emulator.resource_manager.grant(project, repository_role, member)
        for repository in repositories:
            self.emulator.repository_iam.grant(repository, repository_role, member)

    def _grant_repository(self, repository: str) -> None:
        self.emulator.repository_iam.grant(
            repository, self._repository_roles[repository], self.grants.member(PROJECT)
        )

    def rotated_secret(
        self, secret_id: str = "pypi-token", grant: bool = True, **settings: str
    ) -> str:
        """A pypi-derived secret with version 1 in use by repository `pypi`, as terraform leaves it."""
        root = self.secret(f"{secret_id}-root", payload=root_token(), rotation=False)
        annotations = {
            "token-rotator.source": "pypi-derived",
            "token-rotator.root-secret": root,
            "token-rotator.repositories": repository_name("pypi"),
        }
        annotations.update(
            {f"token-rotator.{key.replace('_', '-')}": value for key, value in settings.items()}
        )
        name = self.secret(secret_id, annotations, payload=root_token())
        if grant:
            self.grant(name, AR_AGENT)
        for repository in filter(None, annotations["token-rotator.repositories"].split(",")):
            # Artifact Registry refuses a credential its service agent cannot read, unless told
            # not to validate it (as a repository made before the grant would have been); only
            # this project's agent was granted.
            readable = grant and repository.strip().split("/")[1] in (PROJECT, PROJECT_NUMBER)
            self.repository(
                repository.strip(), f"{name}/versions/1", disable_upstream_validation=not readable
            )
        return name

    def grant(
        self, secret: str, member: str, role: str = "roles/secretmanager.secretAccessor"
    ) -> None:
        policy = self.sm.get_iam_policy(request={"resource": secret})
        policy.bindings.add(role=role, members=[member])
        self.sm.set_iam_policy(request={"resource": secret, "policy": policy})

    def repository(
        self,
        name: str,
        secret_version: str,
        username: str = "__token__",
        upstream: str | None = None,
        disable_upstream_validation: bool = False,
    ) -> None:
        """A Python remote repository of public PyPI, or of the index at `upstream`."""
        parent, repository_id = name.rsplit("/repositories/", 1)
        upstream_config: dict[str, object] = (
            {"common_repository": {"uri": upstream}}
            if upstream
            else {"python_repository": {"public_repository": "PYPI"}}
        )
        repository = artifactregistry_v1.Repository(
            format_=artifactregistry_v1.Repository.Format.PYTHON,
            mode=artifactregistry_v1.Repository.Mode.REMOTE_REPOSITORY,
            remote_repository_config={
                **upstream_config,
                "disable_upstream_validation": disable_upstream_validation,
                "upstream_credentials": {
                    "username_password_credentials": {
                        "username": username,
                        "password_secret_version": secret_version,
                    }
                },
            },
        )
        self.ar.create_repository(
            parent=parent, repository_id=repository_id, repository=repository
        ).result()
        if name in self._repository_roles:
            self._grant_repository(name)

    def points_at(self, repository: str) -> str:
        found = self.ar.get_repository(name=repository)
        return str(
            found.remote_repository_config.upstream_credentials.username_password_credentials.password_secret_version
        )

    def aliases(self, secret: str) -> dict[str, int]:
        return dict(self.sm.get_secret(name=secret).version_aliases)

    def annotations(self, secret: str) -> dict[str, str]:
        return dict(self.sm.get_secret(name=secret).annotations)

    def state(self, secret: str) -> dict[str, object]:
        return json.loads(self.annotations(secret).get("token-rotator.state", "{}"))

    def versions(self, secret: str) -> dict[int, str]:
        """Version number -> state name (ENABLED, DISABLED, DESTROYED)."""
        return {
            int(v.name.rsplit("/", 1)[1]): v.state.name
            for v in self.sm.list_secret_versions(parent=secret)
        }

    def token(self, version_name: str) -> str:
        return self.sm.access_secret_version(name=version_name).payload.data.decode()

    def publish_rotate(self, secret: str, force: bool = False, when: datetime | None = None) -> str:
        """Publish SECRET_ROTATE as Secret Manager (or an operator's `republish`) does."""
        body = SecretStore(self.sm).notification_body(secret)
        message = notifications.secret_rotate(body, when or self.emulator.clock.now(), force)
        return Publisher().publish(TOPIC, message)

    def fire_schedule(self) -> None:
        """Move the emulator clock past the next rotation time, so Secret Manager sends SECRET_ROTATE."""
        self.emulator.clock.advance(timedelta(hours=1, minutes=1).total_seconds())

    def settle(self, timeout: float = 60) -> None:
        assert self.emulator.pubsub.wait_idle(timeout), "push deliveries did not settle"

    def rotate_messages(self) -> list[str]:
        return [
            m.message_id
            for m in self.emulator.pubsub.messages(TOPIC)
            if m.attributes.get("eventType") == "SECRET_ROTATE"
        ]
