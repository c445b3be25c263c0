"""Creating the new version: the source's token stored once, as `pending`, or the version an
interrupted attempt of the same rotation added, adopted."""

from __future__ import annotations

from rotation.core import decisions, logs
from rotation.core.managed_secret import ManagedSecret
from rotation.core.model import VersionInfo
from rotation.core.source import NewToken
from rotation.core.state import PENDING, Phase

Added = tuple[int, NewToken]  # the version this delivery added, and its token


def create_pending(
    secret: ManagedSecret,
    versions: list[VersionInfo],
    added: Added | None,
    *,
    resumed: bool,
    fields: dict[str, object],
) -> Added | None:
    """Record as `pending` the version `added` before (the configuration changed since: see
    Rotation.run), else one an interrupted attempt added, else a new one with the source's new
    token. Returns what this delivery added."""
    rotation = secret.state.rotation or ""
    adopted = None if added else adopt(versions, secret.state.baseline, fields)
    if added is None and adopted is None:
        new = secret.source.obtain(secret.source_context(resumed=resumed))
        added = secret.services.secrets.add_version(secret.name, new.token), new
        logs.info(
            f"added version {added[0]} with the new token",
            **fields,
            event="version_added",
            version=added[0],
            fingerprint=new.token.fingerprint,
        )
    if added is not None:
        version, record = added[0], added[1].record(rotation)
    else:
        assert adopted is not None
        version, record = adopted, {"adopted": "true", "rotation": rotation}
    state = secret.state.evolve(
        phase=Phase.PENDING, tokens={**secret.state.tokens, str(version): record}
    )
    # Deferred to the next write (finish, or the release of a delivery that stops): one write less.
    secret.record.defer(state, aliases={**secret.snapshot.aliases, PENDING: version})
    return added


def adopt(
    versions: list[VersionInfo], baseline: int | None, fields: dict[str, object]
) -> int | None:
    version = decisions.adoptable(versions, baseline)
    if version is not None:
        logs.warning(
            f"adopting version {version}, added by an interrupted attempt of this rotation",
            **fields,
            event="version_adopted",
            version=version,
        )
    return version
