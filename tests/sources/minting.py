"""What the minting source tests share: a `Rig` (one source, its secret and the token authority
behind it), made by `make_rig`, and a gitlab context with extra settings."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from emulator.token_authority import TokenAuthority
from rotation.core import config, formats
from rotation.core.durations import parse_duration
from rotation.core.settings import Settings
from rotation.gcp.secret_manager import SecretStore
from rotation.sources import SOURCE_KEYS, SOURCES, SourceContext, TokenSource
from tests.support import World
from tests.upstreams import SourceCase, minted_secret

TIMEOUT = 5.0  # generous: a loaded two-core CI machine answers slowly; only the timeout test wants it short


@dataclass
class Rig:
    """One source, its secret (version 1 in use by a repository) and the authority behind it."""

    case: SourceCase
    world: World
    authority: TokenAuthority
    secret: str
    source: TokenSource
    rotation_id: str  # unique per test: the authority outlives tests, sources find tokens by it

    def context(self, resumed: bool = False, rotation_id: str | None = None) -> SourceContext:
        store = SecretStore()
        snapshot = store.get(self.secret)
        loaded = config.load(snapshot.annotations, Settings(plain_http=True), SOURCE_KEYS)
        return SourceContext(
            snapshot,
            loaded,
            store,
            rotation_id or self.rotation_id,
            datetime.now(UTC),
            resumed=resumed,
            # As a rotation resolves it (ManagedSecret.username): the repositories are Python.
            username=formats.username(
                loaded.username, self.source.default_username(loaded), formats.Served()
            ),
        )

    def live(self) -> set[str]:
        return {t.value for t in self.authority.live(self.case.api)}

    def replace_minting_token(self, value: str) -> None:
        self.world.sm.add_secret_version(
            parent=f"projects/demo-project/secrets/{self.case.api}-minting-token",
            payload={"data": value.encode()},
        )


def make_rig(case, emulator, authority, private_index, http) -> Rig:
    world = World(emulator)
    secret = minted_secret(world, authority, private_index, case)
    source = SOURCES[case.source](http)
    return Rig(case, world, authority, secret, source, uuid.uuid4().hex[:12])


def gitlab_context(rig: Rig, **settings: str) -> SourceContext:
    """A context of the gitlab rig's secret with extra `token-rotator.*` settings."""
    context = rig.context()
    merged = {**context.config.source_settings, **settings}
    lifetime = settings.get("token-lifetime")
    loaded = replace(
        context.config,
        source_settings=merged,
        token_lifetime=parse_duration(lifetime) if lifetime else None,
    )
    return replace(context, config=loaded)
