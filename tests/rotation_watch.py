"""A forced rotation watched at every Google call the function makes: what every format's
"before, during and after" test does (pip, skopeo, npm, mvn), and the outage it must not see."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from emulator import Call
from tests.support import World

# The calls a rotation always makes: store the token, move the repository, retire the old one.
SWITCH = frozenset({"AddSecretVersion", "UpdateRepository", "DisableSecretVersion"})


@dataclass(frozen=True)
class Moment:
    """What the client and the upstream saw just before one of the function's Google calls."""

    method: str
    client_ok: bool
    old_token_live: bool


@contextmanager
def observing(world: World, observer: Callable[[Call], None]) -> Iterator[None]:
    """`observer` runs before every call the emulator serves, until the block ends."""
    world.emulator.control.observers.append(observer)
    try:
        yield
    finally:
        world.emulator.control.observers.remove(observer)


def watched_forced_rotation(
    world: World,
    secret: str,
    client_ok: Callable[[str, int], bool],
    old_token_live: Callable[[], bool],
) -> list[Moment]:
    """Force a rotation of `secret`; before each Google call, `client_ok(method, step)` runs
    the client through the repository and `old_token_live()` asks the upstream."""
    moments: list[Moment] = []

    def between_steps(call: Call) -> None:
        method = call.method.rsplit(".", 1)[1]
        moments.append(Moment(method, client_ok(method, len(moments)), old_token_live()))

    with observing(world, between_steps):
        world.publish_rotate(secret, force=True)
        world.settle()
    return moments


def assert_no_outage(moments: list[Moment]) -> None:
    """The client worked at every call, and the old token stayed live until the repository
    moved off it."""
    methods = [m.method for m in moments]
    assert set(SWITCH) <= set(methods)
    assert [m.method for m in moments if not m.client_ok] == []
    moved = methods.index("UpdateRepository")
    assert all(m.old_token_live for m in moments[: moved + 1]), "revoked before the move"


def rotation_revoking_the_new_token(
    world: World, secret: str, revoke_new: Callable[[], None], *, force: bool = False
) -> list[str]:
    """Rotate `secret`; just before AddSecretVersion (the source has minted by then)
    `revoke_new()` revokes the new token upstream. Returns the Google calls made, in order."""
    methods: list[str] = []

    def revoke_at_add(call: Call) -> None:
        methods.append(call.method.rsplit(".", 1)[1])
        if methods[-1] == "AddSecretVersion":
            revoke_new()

    with observing(world, revoke_at_add):
        world.publish_rotate(secret, force=force)
        world.settle()
    return methods
