"""The command line on a secret with several invalid values, and across a project."""

from __future__ import annotations

import json

from tests.integration.test_safety import FOUR_BAD_KEYS, four_bad_secret
from tests.support import PROJECT, repository_name


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
