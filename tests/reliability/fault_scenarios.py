"""The fault matrix's scenarios (test_fault_matrix.py): how each rotation is prepared and
triggered, which upstream it talks to, what the secret looks like once it completed, and the
calls of a clean run that make the scenario what it is; a `Step` is one call of that run."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from emulator.upstream_proxy import UPSTREAM
from tests.reliability.rig import Rig
from tests.reliability.upstreams import Upstream
from tests.support import World

SETTLE_SECONDS = 90


@dataclass(frozen=True)
class Step:
    """The `occurrence`-th call of `method` by the function in a clean run; `label` for the table."""

    method: str
    occurrence: int
    label: str


@dataclass(frozen=True)
class Scenario:
    name: str
    prepare: Callable[[Rig, World], tuple[str, str]]  # -> secret, repository
    trigger: Callable[[World, str], str]  # -> the rotation request's message id
    upstream: Callable[[Rig], Upstream]
    aliases: dict[str, int]  # what the secret's aliases are once the rotation completed
    versions: dict[int, str]  # and its versions' states
    calls: dict[str, int]  # how often a clean run calls the methods that make the scenario

    @property
    def new_version(self) -> int:
        return self.aliases["current"]


def scheduled(world: World, secret: str) -> str:
    world.fire_schedule()
    world.settle(SETTLE_SECONDS)
    return world.rotate_messages()[-1]


def forced(world: World, secret: str) -> str:
    return world.publish_rotate(secret, force=True)


def rotated_once(rig: Rig, world: World) -> tuple[str, str]:
    secret, repository = rig.pypi_secret(world)
    scheduled(world, secret)
    assert world.points_at(repository) == f"{secret}/versions/2", "the first rotation failed"
    return secret, repository


GET_PROJECT = "Projects.GetProject"
DISABLE = "SecretManagerService.DisableSecretVersion"
SCENARIOS = [
    # pypi-derived, first rotation, on an instance that has not looked up the repository's project.
    Scenario(
        "pypi first",
        Rig.pypi_secret,
        scheduled,
        lambda rig: rig.pypi,
        aliases={"current": 2, "previous": 1},
        versions={1: "ENABLED", 2: "ENABLED"},
        calls={GET_PROJECT: 1, f"{UPSTREAM}.GET": 1, DISABLE: 0},
    ),
    # pypi-derived, forced second rotation on a warm instance: keep-versions 2 retires version 1.
    Scenario(
        "pypi forced",
        rotated_once,
        forced,
        lambda rig: rig.pypi,
        aliases={"current": 3, "previous": 2},
        versions={1: "DISABLED", 2: "ENABLED", 3: "ENABLED"},
        calls={GET_PROJECT: 0, f"{UPSTREAM}.GET": 1, DISABLE: 1},
    ),
    # gitlab, first rotation, keep-versions 1: mint, probe, identify the first token, revoke it.
    Scenario(
        "gitlab",
        Rig.gitlab_secret,
        scheduled,
        lambda rig: rig.gitlab,
        aliases={"current": 2},
        versions={1: "DISABLED", 2: "ENABLED"},
        calls={
            GET_PROJECT: 1,
            f"{UPSTREAM}.POST": 1,
            f"{UPSTREAM}.GET": 2,
            f"{UPSTREAM}.DELETE": 1,
            DISABLE: 1,
        },
    ),
    # dockerhub, first rotation of a personal access token, keep-versions 1: log in, mint, check
    # at the registry's token service; the hand-stored token has no id, so it is only disabled.
    Scenario(
        "dockerhub",
        Rig.dockerhub_secret,
        scheduled,
        lambda rig: rig.dockerhub,
        aliases={"current": 2},
        versions={1: "DISABLED", 2: "ENABLED"},
        calls={
            GET_PROJECT: 1,
            f"{UPSTREAM}.POST": 2,
            f"{UPSTREAM}.GET": 1,
            f"{UPSTREAM}.DELETE": 0,
            DISABLE: 1,
        },
    ),
]
