"""An operator edits the secret's annotations while a rotation runs: the rotation reads them again
and carries on with them, never retires a version a newly listed repository uses, and never
leaves its lease behind; through the real function."""

from __future__ import annotations

from collections.abc import Callable

from emulator import Call, Emulator
from rotation.gcp.clients import USER_AGENT
from tests.support import LOCATION, OTHER_AR_AGENT, OTHER_PROJECT, PROJECT, World, repository_name

REPO = repository_name("pypi")
ADDED = repository_name("pypi-team-b")
UPDATE_REPOSITORY = "ArtifactRegistry.UpdateRepository"
RETIRING = (
    "SecretManagerService.DisableSecretVersion",
    "SecretManagerService.DestroySecretVersion",
)


class AfterRepoint:
    """Runs `act` (an operator's edit) just before the function's first call after its last
    repoint, i.e. between the repoint and whatever follows it (retiring, or the finish)."""

    def __init__(self, act: Callable[[], None], repoints: int = 1) -> None:
        self.act = act
        self.repoints_left = repoints
        self.acted = False

    def __call__(self, call: Call) -> None:
        if call.caller != USER_AGENT or self.acted:
            return
        if call.method == UPDATE_REPOSITORY:
            self.repoints_left -= 1
        elif self.repoints_left == 0:
            self.acted = True
            self.act()


class RetiredWhileUsed:
    """Records every version the function disables or destroys while a repository points at it."""

    def __init__(self, emulator: Emulator) -> None:
        self.emulator = emulator
        self.found: list[str] = []

    def __call__(self, call: Call) -> None:
        if call.method not in RETIRING:
            return
        name = call.request.name
        for repository in self.emulator.artifact_registry.repositories():
            credentials = repository.remote_repository_config.upstream_credentials
            if credentials.username_password_credentials.password_secret_version == name:
                self.found.append(f"{name} retired while {repository.name} points at it")


def list_another_repository(world: World, secret: str, version: int) -> Callable[[], None]:
    """An operator creates a repository on `version` of the secret and lists it, as Terraform
    does: the repository, the module's grants on it, then the annotation."""

    def act() -> None:
        world.repository(ADDED, f"{secret}/versions/{version}")
        annotations = world.annotations(secret)
        annotations["token-rotator.repositories"] += f",{ADDED}"
        world.apply_module_grants(secret, annotations, PROJECT)
        world.sm.update_secret(
            secret={"name": secret, "annotations": annotations},
            update_mask={"paths": ["annotations"]},
        )

    return act


def events(function_server, mark: int, secret: str, event: str) -> list[dict]:
    return [
        e
        for e in function_server.entries(mark)
        if e.get("event") == event and e.get("secret") == secret
    ]


def test_a_repository_listed_before_the_finish_is_moved_and_the_edit_kept(world, function_server):
    secret = world.rotated_secret()
    edit = AfterRepoint(list_another_repository(world, secret, 1))
    world.emulator.control.observers.append(edit)
    mark = function_server.mark()
    world.fire_schedule()
    world.settle()

    assert edit.acted
    assert world.points_at(REPO) == f"{secret}/versions/2"
    assert world.points_at(ADDED) == f"{secret}/versions/2"
    assert world.annotations(secret)["token-rotator.repositories"] == f"{REPO},{ADDED}"
    state = world.state(secret)
    assert (state["phase"], state.get("holder")) == ("done", None)
    assert world.aliases(secret) == {"current": 2, "previous": 1}
    [changed] = events(function_server, mark, secret, "configuration_changed")
    assert changed["step"] == "finish"
    [completed] = events(function_server, mark, secret, "rotation_completed")
    assert sorted(completed["repositories"]) == sorted([REPO, ADDED])
    message = world.rotate_messages()[-1]
    assert all(d.ok for d in world.emulator.pubsub.deliveries() if d.message_id == message)


def test_a_version_a_newly_listed_repository_uses_is_not_retired(world, function_server):
    secret = world.rotated_secret()
    world.fire_schedule()
    world.settle()
    retired_while_used = RetiredWhileUsed(world.emulator)
    edit = AfterRepoint(list_another_repository(world, secret, 1))
    world.emulator.control.observers += [edit, retired_while_used]
    mark = function_server.mark()
    world.publish_rotate(secret, force=True)
    world.settle()

    assert edit.acted
    assert retired_while_used.found == []
    assert world.points_at(ADDED) == f"{secret}/versions/3"
    assert world.points_at(REPO) == f"{secret}/versions/3"
    assert world.versions(secret) == {1: "DISABLED", 2: "ENABLED", 3: "ENABLED"}
    assert world.aliases(secret) == {"current": 3, "previous": 2}
    assert [e["step"] for e in events(function_server, mark, secret, "configuration_changed")]


def test_an_edit_that_breaks_the_configuration_stops_the_rotation_and_frees_it(
    world, function_server
):
    secret = world.rotated_secret()

    def break_it() -> None:
        annotations = world.annotations(secret) | {"token-rotator.keep-versions": "none"}
        world.sm.update_secret(
            secret={"name": secret, "annotations": annotations},
            update_mask={"paths": ["annotations"]},
        )

    world.emulator.control.observers.append(AfterRepoint(break_it))
    mark = function_server.mark()
    world.fire_schedule()
    world.settle()

    [failed] = events(function_server, mark, secret, "rotation_failed")
    assert failed["error_type"] == "InvalidAnnotations"
    assert failed["problems"][0]["key"] == "token-rotator.keep-versions"
    state = world.state(secret)
    assert state.get("holder") is None, "the lease was not released"
    assert state["phase"] == "pending"
    assert world.annotations(secret)["token-rotator.keep-versions"] == "none"
    assert world.versions(secret) == {1: "ENABLED", 2: "ENABLED"}

    # Fixed, the next delivery finishes at once: no lease to wait out.
    fixed = world.annotations(secret) | {"token-rotator.keep-versions": "2"}
    world.sm.update_secret(
        secret={"name": secret, "annotations": fixed}, update_mask={"paths": ["annotations"]}
    )
    world.publish_rotate(secret)
    world.settle()
    state = world.state(secret)
    assert state["phase"] == "done"
    assert world.aliases(secret) == {"current": 2, "previous": 1}


def test_a_repository_created_where_the_secret_discovers_is_moved_before_its_version_retires(
    world, function_server
):
    """Nothing lists it: it appears in a discover location on version 1 after the repoint, and the
    retire step, reading every repository again, moves it before version 1 is disabled."""
    locations = (
        f"projects/{PROJECT}/locations/{LOCATION},projects/{OTHER_PROJECT}/locations/{LOCATION}"
    )
    secret = world.rotated_secret(repositories="", discover=locations)
    world.grant(secret, OTHER_AR_AGENT)
    world.grant_outside_the_module(OTHER_PROJECT, discovery=True)
    world.repository(REPO, f"{secret}/versions/1")
    world.fire_schedule()
    world.settle()
    late = repository_name("pypi-late", OTHER_PROJECT)
    retired_while_used = RetiredWhileUsed(world.emulator)
    edit = AfterRepoint(lambda: world.repository(late, f"{secret}/versions/1"))
    world.emulator.control.observers += [edit, retired_while_used]
    mark = function_server.mark()
    world.publish_rotate(secret, force=True)
    world.settle()

    assert edit.acted
    assert retired_while_used.found == []
    assert world.points_at(late) == f"{secret}/versions/3"
    assert world.points_at(REPO) == f"{secret}/versions/3"
    assert world.versions(secret) == {1: "DISABLED", 2: "ENABLED", 3: "ENABLED"}
    [completed] = events(function_server, mark, secret, "rotation_completed")
    assert sorted(completed["repositories"]) == sorted([REPO, late])
