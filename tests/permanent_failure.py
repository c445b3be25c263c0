"""The log of a permanent failure, read as at-least-once delivery allows: each delivery of the
message that reached the function logs the same `rotation_failed` and is acknowledged. A second
delivery happens when an answer is lost (seen on a loaded two-core machine with a function just
started); it fails the same way, which is harmless. What must not happen: a retry asked for (a
non-2xx answer) or a different failure."""

from __future__ import annotations

from typing import Any

from emulator import Emulator


def permanent_failure(emulator: Emulator, entries: list[dict[str, Any]], message: str) -> dict:
    """The one `rotation_failed` line (the first, if a lost answer caused a redelivery)."""
    deliveries = [d for d in emulator.pubsub.deliveries() if d.message_id == message]
    failed = [e for e in entries if e.get("event") == "rotation_failed"]
    seen = "\n".join(
        [f"delivery {d.attempt}: {d.status_code} {d.error}" for d in deliveries]
        + [f"{e.get('event')}: {str(e.get('message'))[:300]}" for e in entries]
    )
    assert failed, f"no rotation_failed:\n{seen}"
    assert len(failed) <= len(deliveries), f"more failures than deliveries:\n{seen}"
    answered = [d for d in deliveries if d.status_code is not None]
    assert all(d.ok for d in answered), f"a permanent failure asked for redelivery:\n{seen}"
    assert len({e["message"] for e in failed}) == 1, f"different failures:\n{seen}"
    return failed[0]
