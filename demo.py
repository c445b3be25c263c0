"""`make demo`: rotations of a GitLab project access token, all on this machine, with pip
installing through the remote repository before and after; then the Docker part
(demo_docker.py): a Docker Hub token rotated, with skopeo pulling through a Docker repository.

The emulator stands in for Secret Manager, Artifact Registry (including the repository's package
index, which reads the credential as Artifact Registry does), Resource Manager, Pub/Sub and
Eventarc; a local token authority speaks GitLab's access-token API, and pypiserver is the private
index behind it, accepting exactly the live tokens. The function runs under the real Functions
Framework. The demo checks its own outcome and exits non-zero if anything did not happen.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from demo_setup import (
    PACKAGE,
    PACKAGE_VERSION,
    PROJECT,
    REPOSITORY,
    REPOSITORY_ID,
    TOPIC,
    heading,
    operator,
    setup,
)
from emulator import Emulator
from emulator.cloud_function import LocalFunction
from emulator.pip_client import run_pip
from emulator.token_authority import TokenAuthority
from emulator.upstream import PypiServer
from rotation.core.annotation_values import STATE_KEY
from rotation.gcp import clients


@dataclass(frozen=True)
class Seen:
    versions: dict[str, str]
    aliases: dict[str, int]
    points_at: str
    live: dict[str, bool]  # by version: is its token live upstream


def show(secret: str, authority: TokenAuthority, first_token_id: str) -> Seen:
    sm, ar = clients.secret_manager(), clients.artifact_registry()
    versions = {
        v.name.rsplit("/", 1)[1]: v.state.name for v in sm.list_secret_versions(parent=secret)
    }
    aliases = dict(sm.get_secret(name=secret).version_aliases)
    repository = ar.get_repository(name=REPOSITORY)
    pointer = repository.remote_repository_config.upstream_credentials.username_password_credentials
    state = json.loads(sm.get_secret(name=secret).annotations.get(STATE_KEY, "{}"))
    token_ids = {"1": first_token_id} | {
        version: record["token_id"]
        for version, record in state.get("tokens", {}).items()
        if "token_id" in record
    }
    revoked = {t.id: t.revoked for t in authority.issued("gitlab")}
    live = {version: not revoked[token_id] for version, token_id in token_ids.items()}
    print(f"  versions:   {dict(sorted(versions.items(), key=lambda kv: int(kv[0])))}")
    print(f"  aliases:    {aliases}")
    print(f"  repository: {REPOSITORY_ID} -> {pointer.password_secret_version}")
    print(
        "  GitLab:     "
        + ", ".join(
            f"token of v{v} (id {token_ids[v]}) {'live' if ok else 'revoked'}"
            for v, ok in sorted(live.items())
        )
    )
    print(
        f"  state:      phase={state.get('phase', 'idle')} rotation={state.get('completed_rotation')}"
    )
    return Seen(versions, aliases, pointer.password_secret_version, live)


def pip_install(index_url: str, target: Path) -> bool:
    """The real pip installing the package through the remote repository."""
    requirement = f"{PACKAGE}=={PACKAGE_VERSION}"
    result = run_pip("install", index_url, target, requirement)
    lines = (result.stdout + result.stderr).strip().splitlines()
    print(f"  $ pip install --index-url {index_url} {requirement}")
    print(f"    {lines[-1] if lines else ''}")
    return result.returncode == 0


def clocks_agree(secret: str, emulator: Emulator) -> bool:
    """The function's clock is the emulator's: the newest version was not made after the rotation
    that made it, and that rotation completed at the emulator's time, not this machine's."""
    state = json.loads(clients.secret_manager().get_secret(name=secret).annotations[STATE_KEY])
    completed = datetime.fromisoformat(state["completed_at"])
    created = clients.secret_manager().get_secret_version(name=f"{secret}/versions/3").create_time
    agree = created <= completed and abs(emulator.clock.now() - completed) < timedelta(minutes=5)
    print(
        f"one clock: version 3 created {created:%H:%M:%S}Z, rotation completed "
        f"{completed:%H:%M:%S}Z, emulator now {emulator.clock.now():%H:%M:%S}Z: "
        + ("agree" if agree else "DISAGREE")
    )
    return agree


def operators_view(secret: str, emulator: Emulator) -> int:
    """Status, history and audit, as an operator runs them; returns the function's invocations."""
    operator("status", secret)
    operator("history", secret)
    operator("audit", "--project", PROJECT)
    pushes = [d for d in emulator.pubsub.deliveries() if d.topic == TOPIC]
    print(
        f"function invocations: {len(pushes)} for 2 rotations and 1 redelivery "
        f"(the push subscription lets only SECRET_ROTATE through, of "
        f"{len(emulator.pubsub.messages(TOPIC))} messages on the topic)"
    )
    return len(pushes)


def main() -> int:
    workdir = Path(tempfile.mkdtemp(prefix="ar-token-rotator-demo-"))
    with Emulator() as emulator:
        # One clock: with EMULATOR_HTTP the function and the command line read the emulator's.
        os.environ.update(emulator.env(control=True))
        index = PypiServer(workdir / "index", authenticated_reads=True)
        index.publish(PACKAGE, PACKAGE_VERSION)
        authority = TokenAuthority(index, clock=emulator.clock).start()
        function = LocalFunction(emulator.env(control=True), workdir / "function.log")
        repository_url = emulator.index_url(PROJECT, REPOSITORY_ID)
        try:
            print(f"emulator gRPC {emulator.grpc_target}, function {function.url}")
            print(
                f"GitLab (token API and PyPI endpoint) {authority.url}, behind it {index.index_url}"
            )
            print(f"the remote repository's index: {repository_url}")
            secret, first_id = setup(emulator, authority)
            emulator.pubsub.push_to_function(TOPIC, function.url)
            heading("before: version 1 holds a token made by hand; the repository uses it")
            show(secret, authority, first_id)
            operator("status", secret)
            installed_before = pip_install(repository_url, workdir / "site-before")

            heading(
                "the emulator clock passes next_rotation_time: Secret Manager publishes SECRET_ROTATE"
            )
            emulator.clock.advance(timedelta(hours=1, minutes=1).total_seconds())
            emulator.pubsub.wait_idle(60)
            after = show(secret, authority, first_id)
            rotate = [
                m
                for m in emulator.pubsub.messages(TOPIC)
                if m.attributes["eventType"] == "SECRET_ROTATE"
            ]

            heading(f"Pub/Sub redelivers the same message {rotate[0].message_id}: nothing changes")
            emulator.pubsub.redeliver(rotate[0].message_id)
            emulator.pubsub.wait_idle(60)
            again = show(secret, authority, first_id)

            heading("an operator republishes with force=true: a second rotation")
            operator("republish", secret, "--force")
            emulator.pubsub.wait_idle(60)
            forced = show(secret, authority, first_id)
            installed_after = pip_install(repository_url, workdir / "site-after")
            heading("after: the operator's view, the history and the audit (daily in the cloud)")
            pushes = operators_view(secret, emulator)
            one_clock = clocks_agree(secret, emulator)

            heading("the function's log (rotation lines)")
            for line in function.entries():
                if (
                    line.get("event") in ("rotation_completed", "rotation_failed")
                    or line.get("outcome") == "already_done"
                ):
                    print(f"  {line['severity']:<8} {line['message']}")
        finally:
            function.stop()
            authority.stop()
            index.stop()
    ok = (
        installed_before
        and installed_after
        and after.points_at == f"{secret}/versions/2"
        and again == after
        and forced.points_at == f"{secret}/versions/3"
        and forced.aliases == {"current": 3, "previous": 2}
        and forced.versions["1"] == "DISABLED"
        and forced.live == {"1": False, "2": True, "3": True}
        and one_clock
        and pushes == 3
    )
    print("\nthe pip part " + ("succeeded" if ok else "FAILED") + f"; logs in {workdir}")
    heading("Docker: a Docker Hub token rotated, skopeo pulling through a Docker repository")
    sys.stdout.flush()
    # Its own process: the clients, the command line and the clock read one emulator each.
    docker_ok = subprocess.run([sys.executable, "demo_docker.py"], check=False).returncode == 0
    print("\ndemo " + ("succeeded" if ok and docker_ok else "FAILED"))
    return 0 if ok and docker_ok else 1


if __name__ == "__main__":
    sys.exit(main())
