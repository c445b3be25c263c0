"""Creating what the file declares, through the real Google clients, in the order terraform and a
GitLab administrator would: topics, secrets with their first tokens, grants, repositories."""

from __future__ import annotations

from urllib.parse import quote

from google.cloud import artifactregistry_v1, secretmanager_v1
from google.cloud.pubsub_v1 import PublisherClient

from emulator import Emulator
from emulator.credentials import ANY_USER
from emulator.token_authority import TokenAuthority
from playground.config import (
    ARTIFACT_REGISTRY_AGENT,
    AUTHORITY_PLACEHOLDER,
    FirstToken,
    Grant,
    PlaygroundConfig,
    RepositorySpec,
    SecretSpec,
)
from rotation.gcp import clients

# The name GitLab shows for a token made by hand, and Artifactory's description of one.
_BY_HAND = "created-by-hand"


def seed(config: PlaygroundConfig, emulator: Emulator, authority: TokenAuthority) -> None:
    """Create every topic, secret, grant and repository of `config` (the clients must point at
    `emulator`: the *_EMULATOR_HOST variables set, no credential file)."""
    publisher = PublisherClient()
    for topic in config.topics:
        publisher.create_topic(name=topic)
    for secret in config.secrets:
        _create_secret(secret, emulator, authority)
    for grant in config.grants:
        _grant(grant, config)
    for repository in config.repositories:
        _create_repository(repository, authority)


def _create_secret(spec: SecretSpec, emulator: Emulator, authority: TokenAuthority) -> None:
    sm = clients.secret_manager()
    annotations = {
        key: value.replace(AUTHORITY_PLACEHOLDER, authority.url)
        for key, value in spec.annotations.items()
    }
    secret = secretmanager_v1.Secret(
        replication={"automatic": {}},
        topics=[{"name": topic} for topic in spec.topics],
        annotations=annotations,
    )
    if spec.rotation is not None:
        secret.rotation = secretmanager_v1.Rotation(
            next_rotation_time=emulator.clock.now() + spec.rotation.first,
            rotation_period=spec.rotation.period,
        )
    created = sm.create_secret(parent=f"projects/{spec.project}", secret_id=spec.id, secret=secret)
    if spec.first_token is not None:
        value = _first_token(spec.first_token, authority)
        sm.add_secret_version(
            parent=created.name, payload=secretmanager_v1.SecretPayload(data=value.encode())
        )


def _first_token(token: FirstToken, authority: TokenAuthority) -> str:
    if token.kind == "literal":
        return token.value
    if token.kind == "minting":
        return authority.minting_token(token.value)
    if token.kind == "gitlab":
        owner = "projects/" + quote(token.value, safe="")
        return authority.issue("gitlab", ANY_USER, _BY_HAND, owner).value
    return authority.issue("artifactory", ANY_USER, token.value or _BY_HAND).value


def _grant(grant: Grant, config: PlaygroundConfig) -> None:
    sm = clients.secret_manager()
    member = grant.member
    if grant.agent_of is not None:
        member = ARTIFACT_REGISTRY_AGENT.format(number=config.projects[grant.agent_of])
    policy = sm.get_iam_policy(request={"resource": grant.secret})
    policy.bindings.add(role=grant.role, members=[member])
    sm.set_iam_policy(request={"resource": grant.secret, "policy": policy})


def _create_repository(spec: RepositorySpec, authority: TokenAuthority) -> None:
    repository = artifactregistry_v1.Repository(
        format_=artifactregistry_v1.Repository.Format.PYTHON,
        mode=artifactregistry_v1.Repository.Mode.REMOTE_REPOSITORY,
        remote_repository_config={
            "common_repository": {"uri": spec.upstream.uri(authority.url)},
            "upstream_credentials": {
                "username_password_credentials": {
                    "username": spec.username,
                    "password_secret_version": (
                        f"{spec.password_secret}/versions/{spec.password_version}"
                    ),
                }
            },
        },
    )
    operation = clients.artifact_registry().create_repository(
        parent=spec.parent, repository_id=spec.id, repository=repository
    )
    operation.result(timeout=60)  # type: ignore[no-untyped-call]
