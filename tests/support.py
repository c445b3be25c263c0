"""Building blocks for end-to-end tests: secrets, repositories, topics and events in the emulator.

`World` is made of the parts in tests/world_parts.py; the cloud's names are in tests/cloud_names.py
and importable from here, as before."""

from __future__ import annotations

from datetime import timedelta

from google.cloud import secretmanager_v1
from google.cloud.pubsub_v1 import PublisherClient, SubscriberClient

from emulator import Emulator
from emulator.pubsub import FunctionDelivery
from rotation.gcp import clients
from tests.cloud_names import (
    AR_AGENT,
    FUNCTION_ACCOUNT,
    FUNCTION_MEMBER,
    LOCATION,
    OTHER_AR_AGENT,
    OTHER_NUMBER,
    OTHER_PROJECT,
    PROJECT,
    PROJECT_NUMBER,
    ROTATION_PERIOD,
    TOPIC,
    repository_name,
    root_token,
)
from tests.module_grants import MODULE_GRANTS, ModuleGrants
from tests.world_parts import Repositories, RotateEvents, SecretReads

__all__ = [
    "AR_AGENT",
    "FUNCTION_ACCOUNT",
    "FUNCTION_MEMBER",
    "LOCATION",
    "OTHER_AR_AGENT",
    "OTHER_NUMBER",
    "OTHER_PROJECT",
    "PROJECT",
    "PROJECT_NUMBER",
    "ROTATION_PERIOD",
    "TOPIC",
    "World",
    "repository_name",
    "root_token",
]


class World(Repositories, SecretReads, RotateEvents):
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
        self.delivery = FunctionDelivery(TOPIC)
        if function_url:
            self.push_to(function_url)

    def push_to(self, function_url: str) -> None:
        """The Terraform module's delivery, made with the real clients: the push subscription
        that lets only SECRET_ROTATE through to `function_url`, and its dead-letter topic."""
        self.publisher.create_topic(name=self.delivery.dead_letter_topic)
        with SubscriberClient() as subscriber:
            subscriber.create_subscription(request=self.delivery.subscription_for(function_url))

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

    def second_secret_on(self, repository: str, **settings: str) -> str:
        """Another pypi-derived secret whose annotations name `repository` too (a copy-paste
        slip), readable by the agent; `settings` are more annotations (take_over_from=...)."""
        root = self.secret("second-root", payload=root_token(), rotation=False)
        annotations = {
            "token-rotator.source": "pypi-derived",
            "token-rotator.root-secret": root,
            "token-rotator.repositories": repository,
            **{f"token-rotator.{key.replace('_', '-')}": value for key, value in settings.items()},
        }
        secret = self.secret("second-token", annotations, payload=root_token())
        self.grant(secret, AR_AGENT)
        return secret
