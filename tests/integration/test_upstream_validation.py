"""The function under Artifact Registry's upstream validation, through the Functions Framework:
the mask it sends, how it reads the answer, and what it does while Artifact Registry refuses the
new credential (retries, redelivery within REPOINT_GRACE, then rotation_failed with a remedy)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from emulator import Call, Emulator
from emulator.token_authority import Issued, TokenAuthority
from emulator.upstream import PypiServer
from tests.permanent_failure import permanent_failure
from tests.support import AR_AGENT, PROJECT, World, repository_name, root_token
from tests.upstreams import WEBHOOK, allowed_upstream_hosts, minted_secret, pip_download

UPDATE = "ArtifactRegistry.UpdateRepository"
WHOLE_CREDENTIAL = "remote_repository_config.upstream_credentials"
REPOSITORY = repository_name("private-pypi")


def on_updates(world: World, react: Callable[[int], None]) -> None:
    """Call `react(n)` just before Artifact Registry handles the n-th UpdateRepository."""
    count = 0

    def observe(call: Call) -> None:
        nonlocal count
        if call.method == UPDATE:
            count += 1
            react(count)

    world.emulator.control.observers.append(observe)


def newest_token(authority: TokenAuthority) -> Issued:
    return authority.issued("webhook")[-1]


def wait_until(condition: Callable[[], bool], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the condition did not come true"
        time.sleep(0.05)


def failed_deliveries(emulator: Emulator, message: str) -> int:
    return sum(not d.ok for d in emulator.pubsub.deliveries() if d.message_id == message)


def start_rotation_earlier(world: World, secret: str, by: timedelta) -> None:
    """Move the rotation's start back in its state, as if it had been refused for `by` longer."""
    snapshot = world.sm.get_secret(name=secret)
    state = json.loads(snapshot.annotations["token-rotator.state"])
    state["started_at"] = (datetime.fromisoformat(state["started_at"]) - by).isoformat()
    snapshot.annotations["token-rotator.state"] = json.dumps(state)
    world.sm.update_secret(secret=snapshot, update_mask={"paths": ["annotations"]})


def test_the_function_repoints_with_the_whole_credential_path(world, function_server):
    secret = world.rotated_secret()
    masks: list[list[str]] = []
    world.emulator.control.observers.append(
        lambda call: (
            masks.append(list(call.request.update_mask.paths)) if call.method == UPDATE else None
        )
    )

    world.fire_schedule()
    world.settle()

    assert masks == [[WHOLE_CREDENTIAL]]
    assert world.points_at(repository_name("pypi")) == f"{secret}/versions/2"


def test_an_answer_naming_the_secret_project_by_id_is_the_same_version(world, function_server):
    """The function names the secret by project number (as Secret Manager does); an Artifact
    Registry that answers with the project id answers the same version."""
    world.emulator.artifact_registry.secret_project_form = "id"
    secret = world.rotated_secret()
    mark = function_server.mark()

    world.fire_schedule()
    world.settle()

    by_id = secret.replace(secret.split("/")[1], PROJECT, 1)
    assert world.points_at(repository_name("pypi")) == f"{by_id}/versions/2"
    assert world.aliases(secret) == {"current": 2, "previous": 1}
    assert not [e for e in function_server.entries(mark) if e.get("event") == "rotation_retry"]


def test_a_refusal_that_clears_is_retried_within_the_attempt(
    world, authority, private_index, function_server, tmp_path
):
    """The upstream learns the new token only after Artifact Registry asked twice."""
    secret = minted_secret(world, authority, private_index, WEBHOOK)

    def upstream_learns_late(update: int) -> None:
        token = newest_token(authority)
        if update == 1:
            private_index.revoke(token.username, token.value)
        elif update == 3:
            private_index.allow(token.username, token.value)

    on_updates(world, upstream_learns_late)
    mark = function_server.mark()
    message = world.publish_rotate(secret)
    world.settle()

    assert world.emulator.control.counts[UPDATE] == 3
    assert world.points_at(REPOSITORY) == f"{secret}/versions/2"
    assert world.aliases(secret) == {"current": 2, "previous": 1}
    assert failed_deliveries(world.emulator, message) == 0
    retries = [e for e in function_server.entries(mark) if e.get("event") == "repoint_retry"]
    assert [(e["attempt"], e["attempts"], e["step"]) for e in retries] == [
        (1, 4, "repoint"),
        (2, 4, "repoint"),
    ]
    assert "Failed to validate remote upstream" in retries[0]["message"]  # AR's own words
    result = pip_download(world.emulator.index_url(PROJECT, "private-pypi"), tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]


def derived_secret_of_private_index(world: World, index: PypiServer) -> str:
    """A pypi-derived secret (checked offline only: no index-url) whose repository proxies the
    private index, which accepts version 1's token and never learns a derived one by itself."""
    root = world.secret("derived-root", payload=root_token(), rotation=False)
    first = root_token()
    annotations = {
        "token-rotator.source": "pypi-derived",
        "token-rotator.root-secret": root,
        "token-rotator.repositories": REPOSITORY,
        "token-rotator.keep-versions": "1",
    }
    secret = world.secret("derived-token", annotations, payload=first)
    world.grant(secret, AR_AGENT)
    index.allow("__token__", first)
    world.repository(REPOSITORY, f"{secret}/versions/1", upstream=index.index_url)
    return secret


def test_a_refusal_that_persists_is_redelivered_then_fails_with_a_remedy(
    world, private_index, function_server, tmp_path
):
    """The upstream never accepts the new token: redelivered while the rotation is younger than
    REPOINT_GRACE (30m), then rotation_failed; no repository moves and nothing is retired."""
    secret = derived_secret_of_private_index(world, private_index)
    mark = function_server.mark()
    message = world.publish_rotate(secret)

    wait_until(lambda: failed_deliveries(world.emulator, message) >= 2)
    state = world.state(secret)
    assert state["phase"] == "pending" and state["failed_step"] == "repoint"
    # The pending version, deferred to the next write, came with the release of the lease, with
    # its token's record (not an adoption's).
    assert world.aliases(secret)["pending"] == 2
    assert state["tokens"]["2"]["fingerprint"] and "adopted" not in state["tokens"]["2"]
    assert world.points_at(REPOSITORY) == f"{secret}/versions/1"
    start_rotation_earlier(world, secret, timedelta(minutes=31))
    world.settle()

    entries = function_server.entries(mark)
    retried = [e for e in entries if e.get("event") == "rotation_retry"]
    assert len(retried) >= 2
    assert "retried until REPOINT_GRACE (30m)" in retried[0]["message"]
    failed = [e for e in entries if e.get("event") == "rotation_failed"]
    assert len(failed) == 1
    assert failed[0]["error_type"] == "UpstreamValidationFailed"
    assert "credentials are invalid" in failed[0]["message"]
    assert f"{REPOSITORY} stayed on the version they used" in failed[0]["message"]
    assert (
        f"the upstream of {REPOSITORY} refused user __token__ with the token in {secret}/versions/2"
    ) in failed[0]["remedy"]
    assert world.points_at(REPOSITORY) == f"{secret}/versions/1"
    assert world.versions(secret) == {1: "ENABLED", 2: "ENABLED"}
    state = world.state(secret)
    assert state["phase"] == "pending" and not state.get("retryable")
    result = pip_download(world.emulator.index_url(PROJECT, "private-pypi"), tmp_path / "pip")
    assert result.returncode == 0, result.stderr[-2000:]

    # The upstream learns the token; the operator republishes: the same rotation completes.
    private_index.allow("__token__", world.token(f"{secret}/versions/2"))
    world.publish_rotate(secret)
    world.settle()
    assert world.points_at(REPOSITORY) == f"{secret}/versions/2"
    assert world.versions(secret) == {1: "DISABLED", 2: "ENABLED"}


def test_an_agent_that_cannot_read_at_artifact_registry_gets_the_grant_command(
    emulator, start_function, authority, private_index
):
    """The IAM policy said the agent may read (the access step passed), but Artifact Registry's
    read failed; with REPOINT_GRACE=0s the rotation fails at once, naming the grant."""
    function = start_function(
        threads=2,
        REPOINT_GRACE="0s",
        ALLOWED_UPSTREAM_HOSTS=allowed_upstream_hosts(authority, private_index),
    )
    world = World(emulator, function.url)
    secret = minted_secret(world, authority, private_index, WEBHOOK)
    on_updates(
        world,
        lambda update: (
            world.sm.set_iam_policy(request={"resource": secret, "policy": {}})
            if update == 1
            else None
        ),
    )
    mark = function.mark()
    message = world.publish_rotate(secret)
    world.settle()

    failed = permanent_failure(emulator, function.entries(mark), message)
    assert emulator.control.counts[UPDATE] == 4  # REPOINT_ATTEMPTS
    assert "gcloud secrets add-iam-policy-binding upstream-token" in failed["remedy"]
    assert f"--member={AR_AGENT}" in failed["remedy"]
    assert world.points_at(REPOSITORY) == f"{secret}/versions/1"
    assert world.versions(secret) == {1: "ENABLED", 2: "ENABLED"}
