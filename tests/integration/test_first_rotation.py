"""The first rotation of a secret as the Terraform examples leave it: the secret and the root
secret both created empty, the repository pointing at version 1, which does not exist yet. The
examples' READMEs (terraform/examples/*/README.md, "First rotation") promise what happens when the
root token is added too late, and that a republish after adding it recovers."""

from __future__ import annotations

from tests.support import AR_AGENT, World, repository_name, root_token

REPO = repository_name("pypi")
ADD = "SecretManagerService.AddSecretVersion"
UPDATE = "ArtifactRegistry.UpdateRepository"


def as_applied(world: World) -> tuple[str, str]:
    """What `terraform apply` of examples/pypi creates, before anyone adds the root token."""
    root = world.secret("pypi-root-token", rotation=False)
    annotations = {
        "token-rotator.source": "pypi-derived",
        "token-rotator.root-secret": root,
        "token-rotator.repositories": REPO,
        "token-rotator.min-interval": "1h",
        "token-rotator.keep-versions": "3",
    }
    secret = world.secret("pypi-upstream-token", annotations)
    world.grant(secret, AR_AGENT)
    world.repository(REPO, f"{secret}/versions/1", disable_upstream_validation=True)
    return secret, root


def test_a_first_rotation_before_the_root_token_fails_at_checks_and_a_republish_recovers(
    world, function_server
):
    secret, root = as_applied(world)
    world.emulator.control.reset()
    mark = function_server.mark()
    world.fire_schedule()  # the first scheduled SECRET_ROTATE, with no root token yet
    world.settle()

    failed = [e for e in function_server.entries(mark) if e.get("event") == "rotation_failed"]
    assert len(failed) == 1  # permanent: acknowledged, not redelivered
    assert failed[0]["severity"] == "ERROR"
    assert f"the root-secret {root} of source pypi-derived cannot be read" in failed[0]["message"]
    assert f"add the token to {root} as a new (enabled) version" in failed[0]["remedy"]
    assert "then republish" in failed[0]["remedy"]
    # Nothing changed but the state: no version, no repository written.
    assert world.versions(secret) == {}
    assert world.aliases(secret) == {}
    assert world.emulator.control.counts[ADD] == 0
    assert world.emulator.control.counts[UPDATE] == 0
    assert world.points_at(REPO) == f"{secret}/versions/1"
    state = world.state(secret)
    assert state["phase"] == "failed"
    assert state["failed_step"] == "checks"

    # The operator adds the root token, then republishes (unforced: no rotation completed yet).
    world.sm.add_secret_version(parent=root, payload={"data": root_token().encode()})
    world.publish_rotate(secret)
    world.settle()

    assert world.versions(secret) == {1: "ENABLED"}
    assert world.aliases(secret)["current"] == 1
    assert world.points_at(REPO) == f"{secret}/versions/1"
    assert world.state(secret)["phase"] == "done"
