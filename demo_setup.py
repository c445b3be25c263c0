"""What `make demo` starts from, as Terraform and a GitLab administrator leave it: the GitLab
project's minting token, the rotated secret with its schedule and annotations and a first token
made by hand, the service agent's grant, and the remote repository using version 1."""

from __future__ import annotations

from datetime import timedelta

from google.cloud import artifactregistry_v1, secretmanager_v1
from google.cloud.pubsub_v1 import PublisherClient

from emulator import Emulator
from emulator.credentials import ANY_USER
from emulator.token_authority import TokenAuthority
from rotation.cli import commands as cli
from rotation.gcp import clients

PROJECT = "demo-project"
TOPIC = f"projects/{PROJECT}/topics/secret-rotation"
REPOSITORY_ID = "gitlab-remote"
REPOSITORY = f"projects/{PROJECT}/locations/us-central1/repositories/{REPOSITORY_ID}"
GITLAB_PROJECT = "platform%2Fwheels"
AR_AGENT = "serviceAccount:service-123456789012@gcp-sa-artifactregistry.iam.gserviceaccount.com"
PACKAGE, PACKAGE_VERSION = "tiny-pkg", "1.0"


def heading(text: str) -> None:
    print(f"\n=== {text}")


def operator(*argv: str) -> None:
    """Run the operator's command line (`ar-token-rotator ...`) here, as a person would."""
    print(f"$ ar-token-rotator {' '.join(argv)}")
    if cli.main(list(argv)) != 0:
        raise SystemExit(f"ar-token-rotator {argv[0]} failed")


def setup(emulator: Emulator, authority: TokenAuthority) -> tuple[str, str]:
    """What terraform and a GitLab admin leave: a minting token, the secret holding a first
    project access token made by hand, and the remote repository using it. Returns the secret's
    name and the first token's GitLab id."""
    sm, ar = clients.secret_manager(), clients.artifact_registry()
    PublisherClient().create_topic(name=TOPIC)
    minting = sm.create_secret(
        parent=f"projects/{PROJECT}",
        secret_id="gitlab-minting-token",
        secret=secretmanager_v1.Secret(replication={"automatic": {}}),
    )
    minting_token = authority.minting_token("gitlab").encode()
    sm.add_secret_version(
        parent=minting.name, payload=secretmanager_v1.SecretPayload(data=minting_token)
    )
    secret = sm.create_secret(
        parent=f"projects/{PROJECT}",
        secret_id="gitlab-pypi-token",
        secret=secretmanager_v1.Secret(
            replication={"automatic": {}},
            topics=[{"name": TOPIC}],
            rotation={
                "next_rotation_time": emulator.clock.now() + timedelta(hours=1),
                "rotation_period": timedelta(days=30),
            },
            annotations={
                "token-rotator.source": "gitlab",
                "token-rotator.gitlab-url": authority.url,
                "token-rotator.gitlab-project": "platform/wheels",
                "token-rotator.minting-secret": "gitlab-minting-token",
                "token-rotator.token-name": "artifact-registry",
                "token-rotator.username": "artifact-registry",
                "token-rotator.repositories": REPOSITORY,
            },
        ),
    )
    first = authority.issue("gitlab", ANY_USER, "created-by-hand", f"projects/{GITLAB_PROJECT}")
    sm.add_secret_version(
        parent=secret.name, payload=secretmanager_v1.SecretPayload(data=first.value.encode())
    )
    policy = sm.get_iam_policy(request={"resource": secret.name})
    policy.bindings.add(role="roles/secretmanager.secretAccessor", members=[AR_AGENT])
    sm.set_iam_policy(request={"resource": secret.name, "policy": policy})
    ar.create_repository(
        parent=REPOSITORY.rsplit("/repositories/", 1)[0],
        repository_id=REPOSITORY_ID,
        repository=artifactregistry_v1.Repository(
            format_=artifactregistry_v1.Repository.Format.PYTHON,
            mode=artifactregistry_v1.Repository.Mode.REMOTE_REPOSITORY,
            remote_repository_config={
                "common_repository": {
                    "uri": f"{authority.url}/api/v4/projects/{GITLAB_PROJECT}/packages/pypi/simple"
                },
                "upstream_credentials": {
                    "username_password_credentials": {
                        "username": "artifact-registry",
                        "password_secret_version": f"{secret.name}/versions/1",
                    }
                },
            },
        ),
    ).result()  # type: ignore[no-untyped-call]
    return str(secret.name), first.id
