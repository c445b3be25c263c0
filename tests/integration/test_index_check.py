"""The test step against a real index that checks credentials on reads (pypiserver + htpasswd)."""

from __future__ import annotations

import httpx
import pytest

from emulator.secretmanager import ALIASES_ANY_STATE, ALIASES_ENABLED_ONLY
from emulator.upstream import PypiServer
from rotation.checks.pypi_index import check as probe_index
from rotation.core.errors import TokenRejected, TransientError
from rotation.core.history import Ended
from rotation.core.state import RotationState
from rotation.core.token import Token
from tests.support import AR_AGENT, World, repository_name, root_token

REPO = repository_name("pypi")


@pytest.fixture(scope="module")
def upstream(tmp_path_factory):
    server = PypiServer(tmp_path_factory.mktemp("upstream"), authenticated_reads=True)
    yield server
    server.stop()


def test_probe_verdicts(upstream):
    upstream.allow("probe-user", "right-password")
    with httpx.Client(timeout=5) as http:
        probe_index(http, upstream.index_url, "probe-user", Token("right-password"))
        with pytest.raises(TokenRejected, match="HTTP 403"):
            probe_index(http, upstream.index_url, "probe-user", Token("wrong-password"))
        with pytest.raises(TokenRejected, match="user 'nobody' \\(HTTP 403\\)"):
            probe_index(http, upstream.index_url, "nobody", Token("anything"))
        with pytest.raises(TransientError, match="answered HTTP 404"):
            probe_index(
                http, upstream.index_url + "/no/such/page", "probe-user", Token("right-password")
            )
        with pytest.raises(TransientError, match="could not be reached"):
            probe_index(http, "http://127.0.0.1:9/simple", "probe-user", Token("right-password"))


def staged_world(world: World, upstream: PypiServer, username: str) -> tuple[str, str]:
    """A pypi-staged secret whose repository proxies the index its token is checked against
    (so the function may contact the index without ALLOWED_UPSTREAM_HOSTS listing it)."""
    staged = root_token()
    staging = world.secret(f"{username}-staging", payload=staged, rotation=False)
    annotations = {
        "token-rotator.source": "pypi-staged",
        "token-rotator.staging-secret": staging,
        "token-rotator.repositories": REPO,
        "token-rotator.index-url": upstream.index_url,
        "token-rotator.username": username,
    }
    in_use = root_token()  # the token the repository works with before the rotation
    upstream.allow(username, in_use)
    secret = world.secret("pypi-token", annotations, payload=in_use)
    world.grant(secret, AR_AGENT)
    world.repository(REPO, f"{secret}/versions/1", username, upstream.index_url)
    return secret, staged


def test_staged_token_the_index_accepts_is_rotated_in(world, upstream, function_server):
    secret, staged = staged_world(world, upstream, "accepted-user")
    upstream.allow("accepted-user", staged)
    mark = function_server.mark()
    world.fire_schedule()
    world.settle()
    assert world.points_at(REPO) == f"{secret}/versions/2"
    assert world.token(f"{secret}/versions/2") == staged
    [completed] = [
        e for e in function_server.entries(mark) if e.get("event") == "rotation_completed"
    ]
    assert (completed["source"], completed["repoints"]) == ("pypi-staged", 1)
    assert "token_expires_in_days" not in completed  # a staged token's expiry is not known


@pytest.mark.parametrize("aliases_of_retired", [ALIASES_ANY_STATE, ALIASES_ENABLED_ONLY])
def test_token_the_index_refuses_is_abandoned_and_never_used(
    world, upstream, function_server, aliases_of_retired
):
    secret, _ = staged_world(world, upstream, "refused-user")
    world.emulator.secret_manager.aliases_of_retired = aliases_of_retired
    mark = function_server.mark()
    world.fire_schedule()
    world.settle()

    assert world.points_at(REPO) == f"{secret}/versions/1"
    assert world.versions(secret) == {1: "ENABLED", 2: "DISABLED"}
    assert "pending" not in world.aliases(secret)
    assert world.state(secret)["phase"] == "failed"
    failed = [e for e in function_server.entries(mark) if e.get("event") == "rotation_failed"]
    assert "refused the new token for user 'refused-user' (HTTP 403)" in failed[0]["message"]
    assert (failed[0]["source"], failed[0]["trigger"]) == ("pypi-staged", "scheduled")
    [entry] = RotationState.load(world.annotations(secret)).history
    assert (entry.outcome, entry.version, entry.repoints) == (Ended.ABANDONED, 2, 0)
    assert entry.reason is not None and "(HTTP 403)" in entry.reason
