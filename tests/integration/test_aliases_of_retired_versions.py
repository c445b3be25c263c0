"""Whether Secret Manager lets an alias name a DISABLED or DESTROYED version is unconfirmed, so the
emulator answers either way (emulator.secretmanager.ALIASES_*) and the function must work under
both: it moves every alias off a version before retiring it, and never takes a refused retirement
for a done one."""

from __future__ import annotations

import pytest

from emulator.secretmanager import ALIASES_ANY_STATE, ALIASES_ENABLED_ONLY
from tests.support import World, repository_name

REPO = repository_name("pypi")
MODES = [ALIASES_ANY_STATE, ALIASES_ENABLED_ONLY]


@pytest.fixture(params=MODES)
def aliases_of_retired(request, emulator):
    emulator.secret_manager.aliases_of_retired = request.param
    return request.param


def rotate(world: World, secret: str, force: bool) -> None:
    if force:
        world.publish_rotate(secret, force=True)
    else:
        world.fire_schedule()
    world.settle()


def test_keep_two_retires_the_version_previous_names(world, aliases_of_retired):
    secret = world.rotated_secret()
    rotate(world, secret, force=False)
    assert world.aliases(secret) == {"current": 2, "previous": 1}

    rotate(world, secret, force=True)  # retires version 1, which `previous` names

    assert world.versions(secret) == {1: "DISABLED", 2: "ENABLED", 3: "ENABLED"}
    assert world.aliases(secret) == {"current": 3, "previous": 2}
    assert world.points_at(REPO) == f"{secret}/versions/3"
    assert world.state(secret)["phase"] == "done"


def test_keep_one_retires_the_version_current_names(world, aliases_of_retired):
    secret = world.rotated_secret(keep_versions="1")
    rotate(world, secret, force=False)
    assert world.aliases(secret) == {"current": 2}

    rotate(world, secret, force=True)  # retires version 2, which `current` names until the end

    assert world.versions(secret) == {1: "DISABLED", 2: "DISABLED", 3: "ENABLED"}
    assert world.aliases(secret) == {"current": 3}
    assert world.points_at(REPO) == f"{secret}/versions/3"
    assert world.state(secret)["phase"] == "done"


def test_the_emulator_answers_both_ways(emulator, world, aliases_of_retired):
    secret = world.rotated_secret()
    world.sm.add_secret_version(parent=secret, payload={"data": b"two"})
    world.sm.update_secret(
        secret={"name": secret, "version_aliases": {"previous": 1}},
        update_mask={"paths": ["version_aliases"]},
    )
    disable = {"name": f"{secret}/versions/1"}
    if aliases_of_retired == ALIASES_ENABLED_ONLY:
        with pytest.raises(Exception, match="named by version alias"):
            world.sm.disable_secret_version(request=disable)
        assert world.versions(secret)[1] == "ENABLED"
    else:
        world.sm.disable_secret_version(request=disable)
        assert world.versions(secret)[1] == "DISABLED"
