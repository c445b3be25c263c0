"""Every permanent failure, one row each: the rotation stops with one `rotation_failed` line that
names the resource at fault and carries a remedy saying what to do, and no repository is left
on a version that is not enabled (issue 12, item 5). End to end, through the real function.

The cases, and how a permission is withheld the way an operator's slip would withhold it:
permanent_failures.py.
"""

from __future__ import annotations

import pytest

from emulator.cloud_function import LocalFunction
from emulator.token_authority import TokenAuthority
from emulator.upstream import PypiServer
from tests.integration.permanent_failures import CASES, Rig
from tests.permanent_failure import permanent_failure
from tests.support import World
from tests.upstreams import allowed_upstream_hosts


@pytest.fixture
def upstreams(authority, private_index) -> tuple[TokenAuthority, PypiServer]:
    return authority, private_index


@pytest.fixture(scope="module")
def impatient_function(start_function, authority_session, private_index) -> LocalFunction:
    """The function with REPOINT_GRACE 0s: Artifact Registry's refusal is final at once."""
    return start_function(
        REPOINT_GRACE="0s",
        ALLOWED_UPSTREAM_HOSTS=allowed_upstream_hosts(authority_session, private_index),
    )


# The function keeps each project's number once looked up (it never changes): this case needs a
# function that has looked up none.
FRESH_FUNCTION = {"denied resourcemanager.projects.get"}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_every_permanent_failure_names_the_resource_and_a_remedy(
    case, emulator, start_function, impatient_function, upstreams
):
    authority, private_index = upstreams
    function = impatient_function
    if case in FRESH_FUNCTION:
        function = start_function(
            REPOINT_GRACE="0s",
            ALLOWED_UPSTREAM_HOSTS=allowed_upstream_hosts(authority, private_index),
        )
    world = World(emulator, function.url)
    failure = CASES[case](Rig(world, authority, private_index))
    mark = function.mark()
    message = world.publish_rotate(failure.secret, force=failure.force)
    world.settle()

    entries = function.entries(mark)
    line = permanent_failure(emulator, entries, message)
    assert line["secret"] == failure.secret
    assert failure.resource in line["message"], line["message"]
    assert line.get("remedy"), f"no remedy for: {line['message']}"
    assert failure.remedy in line["remedy"], line["remedy"]
    assert not any(e.get("event") == "rotation_retry" for e in entries)
    assert_every_repository_on_an_enabled_version(world)


def assert_every_repository_on_an_enabled_version(world: World) -> None:
    versions: dict[str, dict[int, str]] = {}
    for repository in world.emulator.artifact_registry.repositories():
        credentials = repository.remote_repository_config.upstream_credentials
        name = credentials.username_password_credentials.password_secret_version
        if name:
            secret, _, number = name.rpartition("/versions/")
            versions.setdefault(secret, world.versions(secret))
            assert versions[secret][int(number)] == "ENABLED", f"{repository.name} on {name}"
