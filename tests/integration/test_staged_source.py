"""End to end, the pypi-staged source: the function takes the newest token an operator staged,
with only what the module grants, and refuses one it cannot read or that is already in use."""

from __future__ import annotations

from tests.support import repository_name, root_token

REPO = repository_name("pypi")


def test_a_staged_source_needs_only_what_the_module_grants(world, function_server):
    """The module grants roles/secretmanager.secretAccessor on the staging secret: the source reads
    `versions/latest` and lists nothing there."""
    staging = world.secret("pypi-staging", payload=root_token(), rotation=False)
    secret = world.rotated_secret(source="pypi-staged", staging_secret=staging)
    world.fire_schedule()
    world.settle()

    assert world.points_at(REPO) == f"{secret}/versions/2"
    assert world.token(f"{secret}/versions/2") == world.token(f"{staging}/versions/1")


def test_a_disabled_newest_staged_token_fails_with_a_remedy(world, function_server):
    staging = world.secret("pypi-staging", payload=root_token(), rotation=False)
    world.sm.add_secret_version(parent=staging, payload={"data": root_token().encode()})
    world.sm.disable_secret_version(name=f"{staging}/versions/2")
    secret = world.rotated_secret(source="pypi-staged", staging_secret=staging)
    mark = function_server.mark()
    world.fire_schedule()
    world.settle()

    failed = [e for e in function_server.entries(mark) if e.get("event") == "rotation_failed"]
    assert f"the newest version of staging secret {staging} cannot be read" in failed[0]["message"]
    assert "DISABLED" in failed[0]["message"]
    assert failed[0]["remedy"].startswith("create a token in PyPI's web UI")
    assert world.versions(secret) == {1: "ENABLED"}
    assert world.points_at(REPO) == f"{secret}/versions/1"


def test_staged_token_equal_to_the_current_one_is_refused(world, function_server):
    staging = world.secret("pypi-staging", payload=root_token(), rotation=False)
    secret = world.rotated_secret(source="pypi-staged", staging_secret=staging)
    world.fire_schedule()
    world.settle()
    assert world.aliases(secret) == {"current": 2, "previous": 1}

    mark = function_server.mark()
    world.publish_rotate(secret, force=True)
    world.settle()
    failed = [e for e in function_server.entries(mark) if e.get("event") == "rotation_failed"]
    assert "holds the token already in use" in failed[0]["message"]
    assert world.aliases(secret) == {"current": 2, "previous": 1}
    assert len(world.versions(secret)) == 2
