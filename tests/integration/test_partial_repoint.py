"""A partial repoint (issue 12, item 8): of two repositories, Artifact Registry refuses to move
one; the other moves, nothing is retired, `rotation_failed` says the rotation is half done and
what to do, and `status` shows each repository's version and why it stayed. Fixed upstream, a
republish finishes the same rotation. Through the real function and the real command line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.redaction import SCAN
from tests.support import AR_AGENT, World, repository_name, root_token
from tests.upstreams import allowed_upstream_hosts

ROOT = Path(__file__).resolve().parents[2]
PUBLIC = repository_name("pypi")
PRIVATE = repository_name("private-pypi")


def status(secret: str, *flags: str, code: int = 0) -> str:
    """`ar-token-rotator status`, run as an operator runs it, against the emulator; `code` is the
    exit code expected (3: the secret needs attention)."""
    result = subprocess.run(
        [sys.executable, "-m", "rotation", "status", secret, *flags],
        cwd=ROOT,
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=120,
    )
    SCAN.outputs.append(result.stdout + result.stderr)
    assert result.returncode == code, result.stderr
    return result.stdout


def status_json(secret: str, code: int = 0) -> dict:
    [found] = json.loads(status(secret, "--json", code=code))
    return found


def test_a_partial_repoint_says_it_is_half_done_and_status_shows_why(
    emulator, start_function, authority, private_index
):
    function = start_function(
        REPOINT_GRACE="0s",
        ALLOWED_UPSTREAM_HOSTS=allowed_upstream_hosts(authority, private_index),
    )
    world = World(emulator, function.url)
    root = world.secret("derived-root", payload=root_token(), rotation=False)
    first = root_token()
    annotations = {
        "token-rotator.source": "pypi-derived",
        "token-rotator.root-secret": root,
        "token-rotator.repositories": f"{PUBLIC},{PRIVATE}",
    }
    secret = world.secret("derived-token", annotations, payload=first)
    world.grant(secret, AR_AGENT)
    private_index.allow("__token__", first)
    world.repository(PUBLIC, f"{secret}/versions/1")
    world.repository(PRIVATE, f"{secret}/versions/1", upstream=private_index.index_url)
    mark = function.mark()
    world.publish_rotate(secret)
    world.settle()

    assert world.points_at(PUBLIC) == f"{secret}/versions/2"
    assert world.points_at(PRIVATE) == f"{secret}/versions/1"
    assert world.versions(secret) == {1: "ENABLED", 2: "ENABLED"}
    [failed] = [e for e in function.entries(mark) if e.get("event") == "rotation_failed"]
    assert (
        f"the rotation is half done: {PUBLIC} moved to {secret}/versions/2, {PRIVATE} stayed on "
        "the version they used; nothing is retired until every repository has moved"
    ) in failed["message"]
    assert failed["remedy"].endswith(
        "then republish the event: the same rotation moves the rest, then finishes"
    )
    assert f"the upstream of {PRIVATE} refused user __token__" in failed["remedy"]

    seen = status_json(secret, code=3)
    assert seen["rotation"]["unfinished"] is True
    assert seen["attention"][0].startswith(f"rotation {seen['rotation']['rotation']} is unfinished")
    where = {r["name"]: r for r in seen["repositories"]}
    assert (where[PUBLIC]["version"], where[PUBLIC]["note"]) == (2, "moved to the new version")
    assert where[PRIVATE]["version"] == 1
    assert where[PRIVATE]["note"].startswith(
        f"stayed: Artifact Registry refused to point repository {PRIVATE} at {secret}/versions/2"
    )
    text = status(secret, code=3)
    assert "IN THIS ROTATION" in text
    assert "stayed: Artifact Registry refused" in text

    # Fixed upstream, a republish moves the rest and finishes the same rotation.
    private_index.allow("__token__", world.token(f"{secret}/versions/2"))
    world.publish_rotate(secret)
    world.settle()
    assert world.points_at(PRIVATE) == f"{secret}/versions/2"
    assert world.aliases(secret) == {"current": 2, "previous": 1}
    done = status_json(secret)
    assert [r["note"] for r in done["repositories"]] == [None, None]
    assert done["attention"] == []
    assert "stayed" not in world.state(secret)
