"""`history SECRET [--json]` and the last rotations in `status`, against the emulator."""

from __future__ import annotations

import json
from datetime import datetime

from tests.cli.status_and_plan import REPO, lines_of, writes


def test_history_lists_each_rotation_by_command_newest_last(cloud, cli, run):
    secret = cloud.rotated_secret()
    empty = cli("history", secret)
    assert empty.code == 0, empty.err
    assert empty.out.splitlines() == [
        f"history of {secret} (newest last; the last 10 are kept)",
        "(no rotation has ended since the history was kept)",
    ]
    assert json.loads(cli("history", secret, "--json").out) == []

    first = run("rotate", secret)
    assert first.code == 0, first.err
    second = run("rotate", secret, "--force")
    assert second.code == 0, second.err
    before = writes(cloud)
    shown = cli("history", secret, "--json")
    assert shown.code == 0, shown.err
    assert writes(cloud) == before  # read only
    entries = json.loads(shown.out)
    assert [e["rotation"] for e in entries] == [
        first.out.split("rotation ", 1)[1].split(" ", 1)[0],
        second.out.split("rotation ", 1)[1].split(" ", 1)[0],
    ]
    for entry, version in zip(entries, [2, 3], strict=True):
        assert entry["trigger"] == "command"
        assert entry["outcome"] == "completed"
        assert entry["version"] == version
        assert entry["repositories"] == [REPO]
        assert entry["repoints"] == 1
        assert entry["reason"] is None
        assert datetime.fromisoformat(entry["started_at"]) <= datetime.fromisoformat(
            entry["finished_at"]
        )

    text = cli("history", secret)
    assert text.code == 0, text.err
    rows = text.out.splitlines()
    assert rows[1].split() == [
        "ROTATION",
        "TRIGGER",
        "OUTCOME",
        "FINISHED",
        "TOOK",
        "VERSION",
        "REPOSITORIES",
        "MOVED",
    ]
    for row, entry in zip(rows[2:], entries, strict=True):
        assert row.split()[:3] == [entry["rotation"], "command", "completed"]
        assert row.split()[-2:] == [str(entry["version"]), REPO]
        assert f"{entry['finished_at'][:10]} {entry['finished_at'][11:19]}Z (" in row


def test_history_shows_why_a_rotation_failed(cloud, cli, run):
    secret = cloud.rotated_secret(grant=False)
    assert run("rotate", secret).code == 1
    shown = cli("history", secret)
    assert shown.code == 0, shown.err
    [header, row, reason] = shown.out.splitlines()[1:]
    assert header.startswith("ROTATION")
    assert row.split()[1:3] == ["command", "failed"]
    assert row.split()[-2:] == ["-", "none"]
    rotation = row.split()[0]
    assert reason.startswith(f"  {rotation} failed: Artifact Registry service agent(s) ")
    assert "cannot read secret" in reason


def test_status_shows_the_last_three_rotations(cloud, cli, run):
    secret = cloud.rotated_secret()
    rotations = []
    for n in range(4):
        rotated = run("rotate", secret, *(["--force"] if n else []))
        assert rotated.code == 0, rotated.err
        rotations.append(rotated.out.split("rotation ", 1)[1].split(" ", 1)[0])

    status = cli("status", secret)
    assert status.code == 0, status.err
    recent = status.out.split("recent rotations (ar-token-rotator history shows more)\n", 1)[1]
    table = lines_of(recent)
    assert table["ROTATION"].startswith("TRIGGER OUTCOME FINISHED")
    assert [line.split()[0] for line in recent.splitlines()[1:]] == rotations[1:]
    assert lines_of(status.out)["last"].startswith(f"rotation rotation {rotations[-1]} completed")

    [as_json] = json.loads(cli("status", secret, "--json").out)
    history = as_json["rotation"]["history"]
    assert [e["rotation"] for e in history] == rotations[1:]
    assert [e["version"] for e in history] == [3, 4, 5]
    assert {e["trigger"] for e in history} == {"command"}
    assert json.loads(cli("history", secret, "--json").out)[1:] == history
