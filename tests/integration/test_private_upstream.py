"""pip through the emulator's remote repository, before, during and after rotations of tokens
minted by a private upstream (GitLab, Artifactory, a webhook), with the function running under
the real Functions Framework."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from rotation.core.egress import allowed_hosts
from rotation.core.events import SECRET_ROTATE, SecretEvent
from rotation.core.rotation import Rotation
from rotation.core.settings import Settings
from rotation.core.token import Token
from rotation.function.wiring import build_services
from rotation.gcp.secret_manager import SecretStore
from tests.rotation_watch import assert_no_outage, watched_forced_rotation
from tests.support import PROJECT, World, repository_name
from tests.upstreams import (
    CASES,
    GITLAB,
    SourceCase,
    allowed_upstream_hosts,
    minted_secret,
    pip_download,
)

REPOSITORY = repository_name("private-pypi")


@pytest.fixture(params=CASES, ids=[case.source for case in CASES])
def case(request: pytest.FixtureRequest) -> SourceCase:
    return request.param


def stored_tokens(world: World, secret: str) -> set[str]:
    """The tokens in the secret's enabled versions."""
    return {
        world.token(f"{secret}/versions/{number}")
        for number, state in world.versions(secret).items()
        if state == "ENABLED"
    }


def index_accepts(case: SourceCase, authority, private_index, token: str) -> bool:
    url = case.upstream_url(authority, private_index) + "/"
    return httpx.get(url, auth=(case.username, token)).status_code == 200


def test_pip_works_before_during_and_after_a_gitlab_rotation(
    world, authority, private_index, tmp_path
):
    """The second rotation of a secret (the first one's token is recorded, so it can be revoked):
    pip runs before every call the function makes, which pauses the rotation at every step."""
    secret = minted_secret(world, authority, private_index, GITLAB, keep_versions="1")
    first = world.token(f"{secret}/versions/1")
    world.publish_rotate(secret)
    world.settle()
    assert not index_accepts(GITLAB, authority, private_index, first), "found by its value"
    old = world.token(f"{secret}/versions/2")
    url = world.emulator.index_url(PROJECT, "private-pypi")
    assert pip_download(url, tmp_path / "before").returncode == 0

    def pip_ok(method: str, step: int) -> bool:
        return pip_download(url, tmp_path / f"step-{step}").returncode == 0

    moments = watched_forced_rotation(
        world, secret, pip_ok, lambda: index_accepts(GITLAB, authority, private_index, old)
    )

    assert_no_outage(moments)
    assert world.points_at(REPOSITORY) == f"{secret}/versions/3"
    after = pip_download(url, tmp_path / "after")
    assert after.returncode == 0, after.stderr[-2000:]
    assert (tmp_path / "after" / "tiny_pkg-1.0-py3-none-any.whl").exists()
    assert not index_accepts(GITLAB, authority, private_index, old)
    assert world.versions(secret) == {1: "DISABLED", 2: "DISABLED", 3: "ENABLED"}


def test_each_source_rotates_and_pip_follows(world, authority, private_index, case, tmp_path):
    secret = minted_secret(world, authority, private_index, case)
    url = world.emulator.index_url(PROJECT, "private-pypi")

    world.publish_rotate(secret)
    world.settle()

    assert world.aliases(secret) == {"current": 2, "previous": 1}
    assert world.points_at(REPOSITORY) == f"{secret}/versions/2"
    result = pip_download(url, tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    assert stored_tokens(world, secret) <= {t.value for t in authority.live(case.api)}
    state = world.state(secret)
    assert state["tokens"]["2"]["token_id"]
    assert world.token(f"{secret}/versions/2") not in str(state)


def test_without_service_agent_access_pip_fails_and_nothing_is_repointed(
    world, authority, private_index, tmp_path, function_server
):
    secret = minted_secret(world, authority, private_index, GITLAB)
    policy = world.sm.get_iam_policy(request={"resource": secret})
    kept = [
        b for b in policy.bindings if not any("gcp-sa-artifactregistry" in m for m in b.members)
    ]
    del policy.bindings[:]
    policy.bindings.extend(kept)
    world.sm.set_iam_policy(request={"resource": secret, "policy": policy})
    url = world.emulator.index_url(PROJECT, "private-pypi")

    refused = pip_download(url, tmp_path / "before")
    assert refused.returncode != 0
    page = httpx.get(url)
    assert page.status_code == 403
    assert "secretmanager.versions.access" in page.text

    mark = function_server.mark()
    world.publish_rotate(secret)
    world.settle()

    assert world.points_at(REPOSITORY) == f"{secret}/versions/1"
    failures = [
        e for e in function_server.entries(since=mark) if e.get("event") == "rotation_failed"
    ]
    assert failures and "gcloud secrets add-iam-policy-binding" in failures[0]["remedy"]
    assert pip_download(url, tmp_path / "after").returncode != 0


def test_an_interrupted_mint_leaves_no_live_token_unrecorded(world, authority, private_index, case):
    """AddSecretVersion fails after the upstream minted: the retried delivery revokes that token."""
    secret = minted_secret(world, authority, private_index, case)
    live_before = {t.value for t in authority.live(case.api)} - stored_tokens(world, secret)
    world.emulator.control.fail("SecretManagerService.AddSecretVersion")

    world.publish_rotate(secret)
    world.settle()

    assert world.aliases(secret) == {"current": 2, "previous": 1}
    live = {t.value for t in authority.live(case.api)} - live_before
    assert live == stored_tokens(world, secret)


class Crash(BaseException):
    """The process dies: nothing is caught, nothing is released."""


class CrashingStore(SecretStore):
    def __init__(self, after_adding: bool) -> None:
        super().__init__()
        self.after_adding = after_adding
        self.armed = True

    def add_version(self, secret: str, token: Token) -> int:
        if self.armed and not self.after_adding:
            self.armed = False
            raise Crash
        version = super().add_version(secret, token)
        if self.armed:
            self.armed = False
            raise Crash
        return version


@pytest.mark.parametrize("after_adding", [False, True], ids=["before-storing", "after-storing"])
def test_a_crash_after_minting_leaves_no_live_token_unrecorded(
    emulator, authority, private_index, case, after_adding
):
    """The process dies right after minting (before or after AddSecretVersion); the next delivery,
    after the lease expired, completes; the only token it minted that is live is the stored one;
    the next rotation revokes it, though an interrupted attempt minted it."""
    world = World(emulator)
    secret = minted_secret(world, authority, private_index, case, keep_versions="1")
    live_at_start = {t.value for t in authority.live(case.api)}

    def minted_and_live() -> set[str]:
        return {t.value for t in authority.live(case.api)} - live_at_start

    settings = Settings(
        check_attempts=1,
        plain_http=True,
        allowed_upstream_hosts=allowed_hosts(allowed_upstream_hosts(authority, private_index)),
    )
    services = build_services()
    event = SecretEvent(SECRET_ROTATE, "crash-1", datetime.now(UTC), secret)

    with pytest.raises(Crash):
        crashing = replace(services, secrets=CrashingStore(after_adding))
        Rotation(event, crashing, settings).run()
    later = datetime.now(UTC) + settings.lease + timedelta(seconds=1)
    Rotation(event, services, settings, now=lambda: later).run()

    assert minted_and_live() == {world.token(f"{secret}/versions/2")}
    forced = SecretEvent(SECRET_ROTATE, "crash-2", later + timedelta(seconds=1), secret, True)
    Rotation(forced, services, settings, now=lambda: later + timedelta(seconds=2)).run()
    assert minted_and_live() == {world.token(f"{secret}/versions/3")}


def test_the_emulator_says_it_does_not_reach_public_pypi(world):
    world.rotated_secret()
    page = httpx.get(world.emulator.index_url(PROJECT, "pypi"))
    assert page.status_code == 502
    assert "public PyPI" in page.text
