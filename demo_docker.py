"""`make demo-docker`: a Docker Hub personal access token rotated by the `dockerhub` source, all
on this machine, with skopeo pulling through the Docker remote repository before and after.

Docker Hub is played by three local parts: the token authority speaks Docker Hub's token API
(login, create and delete access tokens), a token server plays auth.docker.io, and the CNCF
distribution registry (Debian's docker-registry, token auth) plays registry-1.docker.io,
accepting exactly the live tokens. The repository proxies that registry as a custom upstream (the
emulator never reaches the real Docker Hub). The demo checks its own outcome and exits non-zero
if anything did not happen.
"""

from __future__ import annotations

import os
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

from google.cloud import artifactregistry_v1, secretmanager_v1
from google.cloud.pubsub_v1 import PublisherClient

from demo_setup import heading, operator
from emulator import Emulator, skopeo_client
from emulator.cloud_function import LocalFunction
from emulator.docker_auth import DockerTokenServer
from emulator.docker_registry import DockerRegistry
from emulator.remote.docker import registry_url
from emulator.token_authority import TokenAuthority
from rotation.gcp import clients

PROJECT = "demo-project"
TOPIC = f"projects/{PROJECT}/topics/secret-rotation"
REPOSITORY_ID = "dockerhub-remote"
REPOSITORY = f"projects/{PROJECT}/locations/us-central1/repositories/{REPOSITORY_ID}"
AR_AGENT = "serviceAccount:service-123456789012@gcp-sa-artifactregistry.iam.gserviceaccount.com"
NAMESPACE = "acme-ci"  # the Docker Hub user whose read-only tokens are rotated
IMAGE, TAG = "library/tiny", "1.0"


def setup(emulator: Emulator, authority: TokenAuthority, registry: DockerRegistry) -> str:
    """What terraform and a Docker Hub user leave: the admin credential in its secret, the
    rotated secret holding a first access token made by hand, and the Docker remote repository
    using it. Returns the secret's name."""
    sm = clients.secret_manager()
    PublisherClient().create_topic(name=TOPIC)
    admin = sm.create_secret(
        parent=f"projects/{PROJECT}",
        secret_id="dockerhub-admin-credential",
        secret=secretmanager_v1.Secret(replication={"automatic": {}}),
    )
    password = authority.minting_token("dockerhub").encode()  # the account's password
    sm.add_secret_version(parent=admin.name, payload=secretmanager_v1.SecretPayload(data=password))
    secret = sm.create_secret(
        parent=f"projects/{PROJECT}",
        secret_id="dockerhub-token",
        secret=secretmanager_v1.Secret(
            replication={"automatic": {}},
            topics=[{"name": TOPIC}],
            rotation={
                "next_rotation_time": emulator.clock.now() + timedelta(hours=1),
                "rotation_period": timedelta(days=30),
            },
            annotations={
                "token-rotator.source": "dockerhub",
                "token-rotator.dockerhub-url": authority.url,
                "token-rotator.dockerhub-namespace": NAMESPACE,
                "token-rotator.admin-secret": "dockerhub-admin-credential",
                "token-rotator.keep-versions": "1",
                "token-rotator.repositories": REPOSITORY,
            },
        ),
    )
    first = authority.issue("dockerhub", NAMESPACE, "created-by-hand")
    sm.add_secret_version(
        parent=secret.name, payload=secretmanager_v1.SecretPayload(data=first.value.encode())
    )
    policy = sm.get_iam_policy(request={"resource": secret.name})
    policy.bindings.add(role="roles/secretmanager.secretAccessor", members=[AR_AGENT])
    sm.set_iam_policy(request={"resource": secret.name, "policy": policy})
    clients.artifact_registry().create_repository(
        parent=REPOSITORY.rsplit("/repositories/", 1)[0],
        repository_id=REPOSITORY_ID,
        repository=artifactregistry_v1.Repository(
            format_=artifactregistry_v1.Repository.Format.DOCKER,
            mode=artifactregistry_v1.Repository.Mode.REMOTE_REPOSITORY,
            remote_repository_config={
                "docker_repository": {"custom_repository": {"uri": registry.url}},
                "upstream_credentials": {
                    "username_password_credentials": {
                        "username": NAMESPACE,
                        "password_secret_version": f"{secret.name}/versions/1",
                    }
                },
            },
        ),
    ).result()  # type: ignore[no-untyped-call]
    return str(secret.name)


def pull(reference: str) -> str | None:
    """skopeo reading the image's manifest through the remote repository; its digest."""
    done = skopeo_client.inspect(reference)
    digest = skopeo_client.digest_of(done)
    last = (done.stderr.strip().splitlines() or [""])[-1]
    print(f"  $ skopeo inspect {reference}")
    print(f"    {digest if digest else 'FAILED: ' + last}")
    return digest


def live_tokens(authority: TokenAuthority) -> list[str]:
    return [token.name for token in authority.live("dockerhub")]


def main() -> int:
    workdir = Path(tempfile.mkdtemp(prefix="ar-token-rotator-demo-docker-"))
    with Emulator() as emulator, DockerTokenServer(workdir / "auth") as token_server:
        os.environ.update(emulator.env(control=True))
        registry = DockerRegistry(workdir / "registry", "token", token_server)
        authority = TokenAuthority(token_server, clock=emulator.clock).start()
        hosts = {"ALLOWED_UPSTREAM_HOSTS": f"{authority.url[7:]},{token_server.realm[7:-6]}"}
        function = LocalFunction({**emulator.env(control=True), **hosts}, workdir / "function.log")
        try:
            image = registry.push_image(IMAGE, TAG, b"pulled through Artifact Registry\n", "pub")
            reference = f"docker://{registry_url(emulator.http_url, PROJECT, REPOSITORY_ID)}"
            reference += f"/{IMAGE}:{TAG}"
            print(f"emulator gRPC {emulator.grpc_target}, function {function.url}")
            print(f"Docker Hub: API {authority.url}, registry {registry.url}")
            secret = setup(emulator, authority, registry)
            emulator.pubsub.push_to_function(TOPIC, function.url)
            heading(f"before: live Docker Hub tokens {live_tokens(authority)}")
            before = pull(reference)

            heading("the emulator clock passes next_rotation_time: SECRET_ROTATE")
            emulator.clock.advance(timedelta(hours=1, minutes=1).total_seconds())
            emulator.pubsub.wait_idle(60)
            after = pull(reference)
            first_minted = set(live_tokens(authority)) - {"created-by-hand"}
            print(f"  live Docker Hub tokens {live_tokens(authority)}")
            print(
                "  (the token made by hand has no id the function knows: delete it in Docker Hub)"
            )

            heading("an operator forces a second rotation: the first minted token is deleted")
            operator("republish", secret, "--force")
            emulator.pubsub.wait_idle(60)
            again = pull(reference)
            live = set(live_tokens(authority))
            print(f"  live Docker Hub tokens {sorted(live)}")
            operator("status", secret)
        finally:
            function.stop()
            authority.stop()
            registry.stop()
    ok = (
        before == after == again == image.manifest_digest
        and len(first_minted) == 1
        and not first_minted & live
        and len(live - {"created-by-hand"}) == 1
    )
    print("\ndemo-docker " + ("succeeded" if ok else "FAILED") + f"; logs in {workdir}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
