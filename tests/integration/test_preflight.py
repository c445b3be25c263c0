"""Safe while people act: the checks a rotation makes before the source is asked for a token
(issue 12, items 3 and 4). End to end: the emulator pushes the event to the real function."""

from __future__ import annotations

from google.cloud import artifactregistry_v1

from tests.support import (
    AR_AGENT,
    PROJECT,
    PROJECT_NUMBER,
    World,
    repository_name,
)

REPO = repository_name("pypi")
ADD = "SecretManagerService.AddSecretVersion"
UPDATE = "ArtifactRegistry.UpdateRepository"


def failures(function_server, mark) -> list[dict]:
    return [e for e in function_server.entries(mark) if e.get("event") == "rotation_failed"]


def assert_stopped_before_minting(world: World, secret: str) -> None:
    """No new version, no `pending`, the rotation FAILED at step checks, no repository written."""
    assert world.versions(secret) == {1: "ENABLED"}
    assert "pending" not in world.aliases(secret)
    state = world.state(secret)
    assert state["phase"] == "failed"
    assert state["failed_step"] == "checks"
    assert "holder" not in state
    assert world.emulator.control.counts[UPDATE] == 0


def assert_refused_before_the_claim(world: World, secret: str) -> None:
    """A target that cannot be read stops the rotation before it claims anything: the targets
    are read first, to know the upstream hosts it may contact, so nothing at all is written."""
    assert world.versions(secret) == {1: "ENABLED"}
    assert "pending" not in world.aliases(secret)
    assert world.state(secret) == {}
    assert world.emulator.control.counts[UPDATE] == 0


def test_a_secret_does_not_take_a_repository_from_another(world, function_server):
    first = world.rotated_secret()
    second = world.second_secret_on(REPO)
    world.emulator.control.reset()
    mark = function_server.mark()
    world.publish_rotate(second)
    world.settle()

    assert world.points_at(REPO) == f"{first}/versions/1"
    assert_stopped_before_minting(world, second)
    assert world.emulator.control.counts[ADD] == 0
    [failed] = failures(function_server, mark)
    assert failed["secret"] == second
    assert f"{REPO} points at a version of {first}" in failed["message"]
    assert f"secret {second} would take repositories from another secret" in failed["message"]
    assert "remove it from token-rotator.repositories of one of them" in failed["remedy"]
    assert f"token-rotator.take-over-from={first}" in failed["remedy"]

    # The first secret still rotates its repository.
    world.publish_rotate(first)
    world.settle()
    assert world.points_at(REPO) == f"{first}/versions/2"


def test_take_over_from_allows_the_move_by_project_number_too(world, function_server):
    first = world.rotated_secret()
    by_number = first.replace(f"projects/{PROJECT}/", f"projects/{PROJECT_NUMBER}/")
    second = world.second_secret_on(REPO, take_over_from=by_number)
    mark = function_server.mark()
    world.publish_rotate(second)
    world.settle()

    assert failures(function_server, mark) == []
    assert world.points_at(REPO) == f"{second}/versions/2"
    assert world.state(second)["phase"] == "done"


def test_a_disabled_root_secret_fails_before_any_version_is_added(world, function_server):
    secret = world.rotated_secret()
    root = world.annotations(secret)["token-rotator.root-secret"]
    world.sm.disable_secret_version(name=f"{root}/versions/1")
    world.emulator.control.reset()
    mark = function_server.mark()
    world.publish_rotate(secret)
    world.settle()

    assert_stopped_before_minting(world, secret)
    assert world.emulator.control.counts[ADD] == 0
    assert world.points_at(REPO) == f"{secret}/versions/1"
    [failed] = failures(function_server, mark)
    assert f"the root-secret {root} of source pypi-derived cannot be read" in failed["message"]
    assert f"add the token to {root} as a new (enabled) version" in failed["remedy"]

    # Fixed, a republish starts a new rotation and completes it.
    world.sm.enable_secret_version(name=f"{root}/versions/1")
    world.publish_rotate(secret)
    world.settle()
    assert world.points_at(REPO) == f"{secret}/versions/2"


def test_a_missing_repository_fails_before_minting(world, function_server):
    missing = repository_name("no-such-repository")
    secret = world.rotated_secret()
    annotations = world.annotations(secret)
    annotations["token-rotator.repositories"] = f"{REPO},{missing}"
    world.sm.update_secret(
        secret={"name": secret, "annotations": annotations},
        update_mask={"paths": ["annotations"]},
    )
    mark = function_server.mark()
    world.publish_rotate(secret)
    world.settle()

    assert_refused_before_the_claim(world, secret)
    [failed] = failures(function_server, mark)
    # The function's account holds the module's repository role only on repositories that exist,
    # so Artifact Registry answers PERMISSION_DENIED "(or it may not exist)", as production does.
    assert f"reading repository {missing}: permission denied" in failed["message"]
    assert "may not exist" in failed["message"]
    assert "artifactregistry.repositories.get" in failed["remedy"]
    assert failed["remedy"]


def test_missing_access_fails_before_minting_and_a_republish_rotates(world, function_server):
    secret = world.rotated_secret(grant=False)
    mark = function_server.mark()
    world.fire_schedule()
    world.settle()

    assert_stopped_before_minting(world, secret)
    [failed] = failures(function_server, mark)
    assert "gcloud secrets add-iam-policy-binding pypi-token" in failed["remedy"]

    world.grant(secret, AR_AGENT)
    world.publish_rotate(secret)
    world.settle()
    assert world.points_at(REPO) == f"{secret}/versions/2"
    assert world.versions(secret) == {1: "ENABLED", 2: "ENABLED"}


def test_an_invalid_take_over_from_fails_before_minting(world, function_server):
    world.rotated_secret()
    second = world.second_secret_on(REPO, take_over_from="projects/only-a-project")
    mark = function_server.mark()
    world.publish_rotate(second)
    world.settle()

    assert_stopped_before_minting(world, second)
    [failed] = failures(function_server, mark)
    assert "annotation token-rotator.take-over-from='projects/only-a-project'" in failed["message"]


def test_a_repository_that_is_not_remote_fails_before_minting(world, function_server):
    standard = repository_name("standard")
    parent, repository_id = standard.rsplit("/repositories/", 1)
    world.ar.create_repository(
        parent=parent,
        repository_id=repository_id,
        repository=artifactregistry_v1.Repository(
            format_=artifactregistry_v1.Repository.Format.PYTHON,
            mode=artifactregistry_v1.Repository.Mode.STANDARD_REPOSITORY,
        ),
    ).result()
    secret = world.rotated_secret()
    annotations = world.annotations(secret)
    annotations["token-rotator.repositories"] = f"{REPO},{standard}"
    world.sm.update_secret(
        secret={"name": secret, "annotations": annotations},
        update_mask={"paths": ["annotations"]},
    )
    world.apply_module_grants(secret, annotations, PROJECT)
    mark = function_server.mark()
    world.publish_rotate(secret)
    world.settle()

    assert_refused_before_the_claim(world, secret)
    [failed] = failures(function_server, mark)
    assert f"repository {standard} is not a remote repository" in failed["message"]
    assert "list only remote repositories" in failed["remedy"]
