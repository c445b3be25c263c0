"""`make demo`: one scheduled rotation, a redelivery and a forced rotation, all on this machine.

The emulator stands in for Secret Manager, Artifact Registry, Resource Manager, Pub/Sub and
Eventarc; pypiserver stands in for the upstream index; the function runs under the real Functions
Framework. The demo checks its own outcome and exits non-zero if the rotation did not happen.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pypitoken
from google.cloud import artifactregistry_v1, secretmanager_v1
from google.cloud.pubsub_v1 import PublisherClient

from emulator import Emulator
from emulator.cloud_function import LocalFunction
from emulator.upstream import PypiServer
from rotation import clients

PROJECT = "demo-project"
TOPIC = f"projects/{PROJECT}/topics/secret-rotation"
REPOSITORY = f"projects/{PROJECT}/locations/us-central1/repositories/pypi-remote"
AR_AGENT = "serviceAccount:service-123456789012@gcp-sa-artifactregistry.iam.gserviceaccount.com"


def heading(text: str) -> None:
    print(f"\n=== {text}")


@dataclass(frozen=True)
class Seen:
    versions: dict[str, str]
    aliases: dict[str, int]
    points_at: str


def show(secret: str) -> Seen:
    sm, ar = clients.secret_manager(), clients.artifact_registry()
    versions = {
        v.name.rsplit("/", 1)[1]: v.state.name for v in sm.list_secret_versions(parent=secret)
    }
    aliases = dict(sm.get_secret(name=secret).version_aliases)
    repository = ar.get_repository(name=REPOSITORY)
    pointer = repository.remote_repository_config.upstream_credentials.username_password_credentials
    state = json.loads(sm.get_secret(name=secret).annotations.get("token-rotator.state", "{}"))
    print(f"  versions:   {dict(sorted(versions.items(), key=lambda kv: int(kv[0])))}")
    print(f"  aliases:    {aliases}")
    print(f"  repository: {REPOSITORY.rsplit('/', 1)[1]} -> {pointer.password_secret_version}")
    print(
        f"  state:      phase={state.get('phase', 'idle')} rotation={state.get('completed_rotation')}"
    )
    return Seen(versions, aliases, pointer.password_secret_version)


def setup(emulator: Emulator, index_url: str) -> str:
    sm, ar = clients.secret_manager(), clients.artifact_registry()
    PublisherClient().create_topic(name=TOPIC)
    root = pypitoken.Token.create(
        domain="pypi.org", identifier="demo-root", key=os.urandom(32).hex()
    )
    root_secret = sm.create_secret(
        parent=f"projects/{PROJECT}",
        secret_id="pypi-root-token",
        secret=secretmanager_v1.Secret(replication={"automatic": {}}),
    )
    sm.add_secret_version(
        parent=root_secret.name, payload=secretmanager_v1.SecretPayload(data=root.dump().encode())
    )
    secret = sm.create_secret(
        parent=f"projects/{PROJECT}",
        secret_id="pypi-token",
        secret=secretmanager_v1.Secret(
            replication={"automatic": {}},
            topics=[{"name": TOPIC}],
            rotation={
                "next_rotation_time": emulator.clock.now() + timedelta(hours=1),
                "rotation_period": timedelta(days=30),
            },
            annotations={
                "token-rotator.source": "pypi-derived",
                "token-rotator.root-secret": "pypi-root-token",
                "token-rotator.repositories": REPOSITORY,
                "token-rotator.index-url": index_url,
            },
        ),
    )
    first = root.restrict(
        not_before=int(emulator.clock.now().timestamp()) - 60,
        not_after=int((emulator.clock.now() + timedelta(days=60)).timestamp()),
    )
    sm.add_secret_version(
        parent=secret.name, payload=secretmanager_v1.SecretPayload(data=first.dump().encode())
    )
    policy = sm.get_iam_policy(request={"resource": secret.name})
    policy.bindings.add(role="roles/secretmanager.secretAccessor", members=[AR_AGENT])
    sm.set_iam_policy(request={"resource": secret.name, "policy": policy})
    ar.create_repository(
        parent=REPOSITORY.rsplit("/repositories/", 1)[0],
        repository_id=REPOSITORY.rsplit("/", 1)[1],
        repository=artifactregistry_v1.Repository(
            format_=artifactregistry_v1.Repository.Format.PYTHON,
            mode=artifactregistry_v1.Repository.Mode.REMOTE_REPOSITORY,
            remote_repository_config={
                "python_repository": {"public_repository": "PYPI"},
                "upstream_credentials": {
                    "username_password_credentials": {
                        "username": "__token__",
                        "password_secret_version": f"{secret.name}/versions/1",
                    }
                },
            },
        ),
    ).result()  # type: ignore[no-untyped-call]
    return str(secret.name)


def publish_forced(emulator: Emulator, secret: str) -> str:
    attributes = {
        "eventType": "SECRET_ROTATE",
        "dataFormat": "JSON_API_V1",
        "secretId": secret,
        "timestamp": emulator.clock.now().isoformat(),
        "force": "true",
    }
    future = PublisherClient().publish(TOPIC, json.dumps({"name": secret}).encode(), **attributes)
    return str(future.result())


def main() -> int:
    workdir = Path(tempfile.mkdtemp(prefix="ar-token-rotator-demo-"))
    with Emulator() as emulator:
        os.environ.update(emulator.env())
        upstream = PypiServer(workdir / "upstream", authenticated_reads=False)
        function = LocalFunction(emulator.env(), workdir / "function.log")
        try:
            print(
                f"emulator gRPC {emulator.grpc_target}, upstream {upstream.index_url}, function {function.url}"
            )
            print(
                "(the upstream, like pypi.org, checks no token on reads; `make test` covers one that does)"
            )
            secret = setup(emulator, upstream.index_url)
            emulator.pubsub.set_push_endpoint(TOPIC, function.url)
            heading("before: terraform created version 1 and pointed the repository at it")
            show(secret)

            heading(
                "the emulator clock passes next_rotation_time: Secret Manager publishes SECRET_ROTATE"
            )
            emulator.clock.advance(timedelta(hours=1, minutes=1).total_seconds())
            emulator.pubsub.wait_idle(60)
            after = show(secret)
            rotate = [
                m
                for m in emulator.pubsub.messages(TOPIC)
                if m.attributes["eventType"] == "SECRET_ROTATE"
            ]

            heading(f"Eventarc redelivers the same message {rotate[0].message_id}: nothing changes")
            emulator.pubsub.redeliver(rotate[0].message_id)
            emulator.pubsub.wait_idle(60)
            again = show(secret)

            heading("an operator republishes with force=true: a second rotation")
            publish_forced(emulator, secret)
            emulator.pubsub.wait_idle(60)
            forced = show(secret)

            heading("the function's log (rotation lines)")
            for line in function.entries():
                if (
                    line.get("event") in ("rotation_completed", "rotation_failed")
                    or "already ran" in line["message"]
                ):
                    print(f"  {line['severity']:<8} {line['message']}")
        finally:
            function.stop()
            upstream.stop()
    ok = (
        after.points_at == f"{secret}/versions/2"
        and again == after
        and forced.points_at == f"{secret}/versions/3"
        and forced.aliases == {"current": 3, "previous": 2}
        and forced.versions["1"] == "DISABLED"
    )
    print("\ndemo " + ("succeeded" if ok else "FAILED") + f"; logs in {workdir}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
