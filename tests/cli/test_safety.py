"""The command line on what people do: invalid values, refused hosts, rollback and keep-versions."""

from __future__ import annotations

import json

from tests.cli.status_and_plan import lines_of
from tests.integration.test_safety import FOUR_BAD_KEYS, four_bad_secret
from tests.support import PROJECT, repository_name
from tests.upstreams import GITLAB, RecordingServer, minted_secret


def test_status_and_plan_report_every_invalid_annotation(cloud, cli):
    secret = four_bad_secret(cloud)
    for command in (("status", secret), ("plan", secret)):
        shown = cli(*command)
        assert shown.code == 2, shown.err
        assert "4 invalid token-rotator.* annotations" in shown.err
        for key, value in [
            ("token-rotator.access-level", "'99'"),
            ("token-rotator.gitlab-url", "'gitlab.example.com'"),
            ("token-rotator.keep-versions", "'none'"),
            ("token-rotator.min-interval", "'soon'"),
        ]:
            assert f"  {key}={value}: " in shown.err, (command, shown.err)
        assert shown.err.count("    remedy: ") == 4

    listed = cli("status", secret, "--json")
    [failed] = json.loads(listed.out)
    assert sorted(p["key"] for p in failed["problems"]) == FOUR_BAD_KEYS
    assert all(p["remedy"] for p in failed["problems"])


def test_project_wide_status_names_the_secret_of_each_error(cloud, cli):
    good = cloud.rotated_secret()
    bad = four_bad_secret(cloud, repository_name("bad"))
    broken = cloud.rotated_secret(
        "broken-token", keep_versions="none", repositories=repository_name("broken")
    )
    shown = cli("status", "--project", PROJECT)
    assert shown.code == 2
    assert f"secret         {good}" in shown.out
    assert f"error: {bad}: 4 invalid token-rotator.* annotations:" in shown.err
    assert f"error: {broken}: annotation token-rotator.keep-versions='none'" in shown.err


def test_rotate_refuses_a_host_nobody_allowed_and_sends_it_nothing(
    cloud, cli, authority, private_index
):
    recorder = RecordingServer()
    try:
        secret = minted_secret(cloud, authority, private_index, GITLAB, gitlab_url=recorder.url)
        planned = cli("plan", secret)
        refused = cli("rotate", secret)
    finally:
        recorder.stop()
    assert planned.code == 0, planned.err
    assert planned.out.splitlines()[0].endswith(": stop; nothing changed")
    assert f"upstreams  stop before any request: token-rotator.gitlab-url {recorder.url}" in (
        planned.out
    )
    assert refused.code == 2, refused.err
    assert f"host {recorder.host} is not one this function may contact" in refused.err
    assert "remedy: if 127.0.0.1" in refused.err
    assert "ALLOWED_UPSTREAM_HOSTS" in refused.err
    assert recorder.requests == []
    assert cloud.versions(secret) == {1: "ENABLED"}


def test_a_redirect_to_a_host_nobody_allowed_is_not_followed(cloud, cli, authority, private_index):
    """An allowed host answers with a redirect elsewhere: the client refuses the next hop before
    sending it, so the minting token (in a header httpx keeps across hosts) goes nowhere else."""
    elsewhere = RecordingServer()
    allowed = RecordingServer(redirect_to=elsewhere.url)
    try:
        secret = minted_secret(cloud, authority, private_index, GITLAB, gitlab_url=allowed.url)
        failed = cli("rotate", secret, env={"ALLOWED_UPSTREAM_HOSTS": allowed.host})
    finally:
        allowed.stop()
        elsewhere.stop()
    assert failed.code == 2, failed.err
    assert [method for method, _, _ in allowed.requests] == ["POST"]
    assert elsewhere.requests == []
    assert f"POST request to {elsewhere.url}/" in failed.err
    assert f"host {elsewhere.host} is not one this function may contact" in failed.err
    assert cloud.versions(secret) == {1: "ENABLED"}


def test_status_says_whether_a_rollback_is_possible(cloud, cli):
    kept = cloud.rotated_secret()
    single = cloud.rotated_secret(
        "single-token", keep_versions="1", repositories=repository_name("single")
    )
    assert lines_of(cli("status", kept).out)["rollback"] == (
        "none yet: the next rotation keeps the old current as previous"
    )
    for secret in (kept, single):
        assert cli("rotate", secret).code == 0
    assert lines_of(cli("status", kept).out)["rollback"] == "to version 1 (previous)"
    assert lines_of(cli("status", single).out)["rollback"] == (
        "impossible: keep-versions 1 retires the old current at every rotation (set 2 or more "
        "to keep a rollback)"
    )
    [status] = json.loads(cli("status", single, "--json").out)
    assert status["rollback"].startswith("impossible: keep-versions 1")
    refused = cli("rollback", single)
    assert refused.code == 1
    assert "keep-versions of 2 or more" in refused.err


def test_cleanup_keeps_previous_under_keep_versions_2(cloud, cli):
    """A version added by hand after a rotation is newer than `previous`: cleanup still keeps
    `previous`, so the rollback the README promises stays possible."""
    secret = cloud.rotated_secret()
    assert cli("rotate", secret).code == 0
    cloud.sm.add_secret_version(parent=secret, payload={"data": b"added-by-hand-" + b"x" * 20})
    cleaned = cli("cleanup", secret)
    assert cleaned.code == 0, cleaned.err
    assert cleaned.out == f"{secret}: retired versions 3; enabled and kept: 2, 1\n"
    assert cloud.aliases(secret) == {"current": 2, "previous": 1}
    rolled = cli("rollback", secret)
    assert rolled.code == 0, rolled.err
