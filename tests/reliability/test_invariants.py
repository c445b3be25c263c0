"""The invariant checks of the fault matrix can fail: each catches the breach it is meant for."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from google.cloud import secretmanager_v1

from emulator import Call
from emulator.upstream_proxy import UpstreamProxy, UpstreamRequest
from rotation.gcp.clients import USER_AGENT
from tests.reliability.invariants import InvariantWatch
from tests.reliability.upstreams import GitLabUpstream, PypiUpstream
from tests.support import AR_AGENT, World, repository_name

REPO = repository_name("pypi")


@dataclass
class Setup:
    """Version 1 of a secret, accepted upstream, in use by one repository; a watch on it."""

    world: World
    secret: str
    pypi: PypiUpstream
    watch: InvariantWatch


@pytest.fixture
def setup(emulator):
    with UpstreamProxy("http://127.0.0.1:9", emulator.control) as proxy:
        pypi = PypiUpstream(proxy)
        world = World(emulator)
        secret = world.secret("pypi-token", payload=pypi.root_token(), rotation=False)
        world.grant(secret, AR_AGENT)  # Artifact Registry validates the credential on create
        world.repository(REPO, f"{secret}/versions/1")
        yield Setup(world, secret, pypi, InvariantWatch(emulator, secret, pypi))


def get_secret(secret, caller="x"):
    request = secretmanager_v1.GetSecretRequest(name=secret)
    return Call("SecretManagerService.GetSecret", caller, request)


def test_a_sound_state_passes(setup):
    setup.watch(get_secret(setup.secret))
    assert setup.watch.violations == []
    assert setup.watch.checks == 1


def test_1_a_repository_on_a_disabled_version(setup):
    setup.world.sm.disable_secret_version(name=f"{setup.secret}/versions/1")
    setup.watch(get_secret(setup.secret))
    assert [v.split(": ", 2)[1] for v in setup.watch.violations] == ["1"]


def test_1_a_repository_on_a_token_the_upstream_refuses(setup):
    setup.world.sm.add_secret_version(
        parent=setup.secret, payload={"data": b"pypi-not-a-real-token-value"}
    )
    setup.world.ar.update_repository(
        repository={
            "name": REPO,
            "remote_repository_config": {
                "upstream_credentials": {
                    "username_password_credentials": {
                        "password_secret_version": f"{setup.secret}/versions/2"
                    }
                }
            },
        },
        update_mask={
            "paths": [
                "remote_repository_config.upstream_credentials.username_password_credentials.password_secret_version"
            ]
        },
    )
    setup.watch(get_secret(setup.secret))
    assert any("upstream refuses" in v for v in setup.watch.violations)


def test_2_a_token_issued_upstream_and_not_stored_next(emulator, authority, private_index):
    with UpstreamProxy(authority.url, emulator.control) as proxy:
        gitlab = GitLabUpstream(authority, proxy)
        gitlab.start()
        world = World(emulator)
        secret = world.secret(
            "gitlab-token", payload="glpat-first-token-stored-0000", rotation=False
        )
        watch = InvariantWatch(emulator, secret, gitlab)
        authority.issue("gitlab", "*", "minted-by-the-function", "projects/p")
        watch(get_secret(secret, caller=USER_AGENT))
        assert any("first call after the upstream issued a token" in v for v in watch.violations)
        assert any("live token(s) unrecorded" in v for v in watch.finish(""))


def test_2_a_token_sent_upstream_before_it_was_stored(setup):
    request = UpstreamRequest("GET", "/simple/", {}, b"", "pypi-never-stored-token-value")
    setup.watch(Call("Upstream.GET", "x", request))
    assert any("reached the upstream before it was stored" in v for v in setup.watch.violations)


def test_3_disabling_a_version_a_repository_points_at(setup):
    request = secretmanager_v1.DisableSecretVersionRequest(name=f"{setup.secret}/versions/1")
    setup.watch(Call("SecretManagerService.DisableSecretVersion", "x", request))
    assert any(f"while {REPO} points at it" in v for v in setup.watch.violations)
    assert any("before" in v and "tested token" in v for v in setup.watch.violations)


def test_4_two_new_versions_for_one_request(setup):
    for token in (setup.pypi.root_token(), setup.pypi.root_token()):
        setup.world.sm.add_secret_version(parent=setup.secret, payload={"data": token.encode()})
    setup.watch(get_secret(setup.secret))
    assert any("2 new versions [2, 3] for 1 rotation request" in v for v in setup.watch.violations)


def test_5_a_token_in_an_annotation_or_the_log(setup):
    token = setup.world.token(f"{setup.secret}/versions/1")
    setup.world.sm.update_secret(
        secret={"name": setup.secret, "annotations": {"note": token[:60], "full": token}},
        update_mask={"paths": ["annotations"]},
    )
    violations = setup.watch.finish(function_log=f"oops {token}")
    # Take the planted token out again, or the session's own scan would rightly report it.
    setup.world.sm.update_secret(
        secret={"name": setup.secret}, update_mask={"paths": ["annotations"]}
    )
    assert any("annotation or label" in v for v in violations)
    assert any("in the function log" in v for v in violations)
