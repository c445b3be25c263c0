"""The concerns `tests.support.World` is made of, one mixin each: the IAM grants the Terraform
module (or an operator) makes, the repositories, reading secrets back, and rotation events."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from google.cloud import artifactregistry_v1, secretmanager_v1

from emulator import Emulator
from rotation.core import notifications
from rotation.gcp.pubsub import Publisher
from rotation.gcp.secret_manager import SecretStore
from tests.cloud_names import PROJECT, TOPIC
from tests.module_grants import ModuleGrants


class WorldState:
    """What every part works on, set by `World.__init__`."""

    emulator: Emulator
    grants: ModuleGrants
    _repository_roles: dict[str, str]  # repository -> the module's role to bind
    sm: secretmanager_v1.SecretManagerServiceClient
    ar: artifactregistry_v1.ArtifactRegistryClient


class IamGrants(WorldState):
    """The module's grants to the function, an operator's grants outside it, and plain ones."""

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

    def grant(
        self, secret: str, member: str, role: str = "roles/secretmanager.secretAccessor"
    ) -> None:
        policy = self.sm.get_iam_policy(request={"resource": secret})
        policy.bindings.add(role=role, members=[member])
        self.sm.set_iam_policy(request={"resource": secret, "policy": policy})


class Repositories(IamGrants):
    """Remote repositories, granted to the function as the module grants them once they exist."""

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


class SecretReads(WorldState):
    """A secret read back: its aliases, annotations, rotator state, versions and tokens."""

    def aliases(self, secret: str) -> dict[str, int]:
        return dict(self.sm.get_secret(name=secret).version_aliases)

    def annotations(self, secret: str) -> dict[str, str]:
        return dict(self.sm.get_secret(name=secret).annotations)

    def annotate(self, secret: str, **settings: str) -> dict[str, str]:
        """Add or change `token-rotator.*` annotations (check_url=... is check-url), as an
        operator editing the secret would; returns them all."""
        annotations = self.annotations(secret) | {
            f"token-rotator.{key.replace('_', '-')}": value for key, value in settings.items()
        }
        self.sm.update_secret(
            secret={"name": secret, "annotations": annotations},
            update_mask={"paths": ["annotations"]},
        )
        return annotations

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


class RotateEvents(WorldState):
    """SECRET_ROTATE on the topic: published, scheduled, delivered and listed."""

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
