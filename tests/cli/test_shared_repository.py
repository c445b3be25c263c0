"""`plan` and `status` on two secrets that name the same repository: the conflict, the
take-over an annotation allows, and an invalid take-over-from."""

from __future__ import annotations

import json

from tests.cli.status_and_plan import REPO, checks_of, lines_of, writes
from tests.support import World


def second_secret_on_the_same_repository(cloud: World, **settings: str) -> tuple[str, str]:
    """Two secrets whose annotations both name repository `pypi`; it points at the first."""
    first = cloud.rotated_secret()
    return first, cloud.second_secret_on(REPO, **settings)


def test_plan_and_status_show_a_repository_another_secret_uses(cloud, cli, run):
    first, second = second_secret_on_the_same_repository(cloud)
    written = writes(cloud)
    planned = json.loads(run("plan", second, "--json").out)
    assert planned["verdict"] == "stop"
    checks = checks_of(planned)
    conflict = checks[f"conflict {second}"]
    assert conflict["ok"] is False
    assert f"{REPO} points at a version of {first}" in conflict["detail"]
    assert f"token-rotator.take-over-from={first}" in conflict["remedy"]
    assert checks[f"repository {REPO}"]["ok"] is True
    assert checks[f"access {second}"]["ok"] is True
    assert planned["steps"][-1]["step"] == "checks"
    assert planned["steps"][-1]["action"].startswith("stop: 1 of 4 checks fail")

    text = cli("plan", second)
    assert text.code == 0, text.err
    assert f"FAILED conflict {second}: secret {second} would take repositories" in text.out
    assert f"ok     repository {REPO}: exists, remote" in text.out

    shown = cli("status", second)
    assert shown.code == 3, shown.err
    assert f"{REPO} points at a version of {first}" in lines_of(shown.out)["problem"]
    assert "token-rotator.take-over-from" in lines_of(shown.out)["problem"]
    healthy = cli("status", first)
    assert healthy.code == 0, healthy.err
    assert "problem" not in lines_of(healthy.out)
    assert writes(cloud) == written


def test_plan_allows_a_take_over_the_annotation_names(cloud, run):
    first, second = second_secret_on_the_same_repository(cloud, take_over_from="pypi-token")
    planned = json.loads(run("plan", second, "--json").out)
    assert planned["verdict"] == "rotate"
    assert checks_of(planned)[f"conflict {second}"]["ok"] is True
    assert f"{REPO}: {first}/versions/1 -> version 2" in json.dumps(planned["steps"])


def test_status_names_an_invalid_take_over_from(cloud, cli):
    _, second = second_secret_on_the_same_repository(cloud, take_over_from="a/b")
    shown = cli("status", second)
    assert shown.code == 3, shown.err
    assert "annotation token-rotator.take-over-from='a/b'" in lines_of(shown.out)["problem"]
