"""Exit codes for bad usage and configuration, errors that name the cause and the remedy, and the
command line's own identity in Google's request logs."""

from __future__ import annotations

import rotation
from rotation.gcp.clients import CLI_USER_AGENT, USER_AGENT
from tests.support import PROJECT


def test_help_and_bad_usage(cli):
    helped = cli("--help")
    assert helped.code == 0
    for command in ("status", "plan", "rotate", "republish", "rollback", "cleanup"):
        assert command in helped.out
    assert "Exit codes: 0 done, 1 the operation failed, 2 bad usage or configuration" in helped.out

    assert cli().code == 2
    unknown = cli("rotate")
    assert unknown.code == 2
    assert "the following arguments are required: SECRET" in unknown.err
    bad_timeout = cli("republish", "s", "--project", PROJECT, "--wait", "--timeout", "soon")
    assert bad_timeout.code == 2
    assert "'soon' is not a duration such as 90s, 30m, 12h or 7d" in bad_timeout.err
    for option, value, said in [
        ("--poll-seconds", "-1", "-1 is outside 0.1..300 seconds; give e.g. 2"),
        ("--poll-seconds", "often", "'often' is not a number of seconds"),
        ("--poll-seconds", "nan", "nan is outside 0.1..300 seconds"),
        ("--timeout", "0s", "'0s' is not longer than zero; give e.g. 15m"),
    ]:
        refused = cli("republish", "s", "--project", PROJECT, "--wait", option, value)
        assert refused.code == 2, (option, value)
        assert f"argument {option}: {said}" in refused.err

    version = cli("--version")
    assert version.code == 0
    assert version.out == f"ar-token-rotator {rotation.__version__}\n"


def test_secret_names_and_projects(cloud, cli):
    secret = cloud.rotated_secret()
    regional = cli("status", "projects/p/locations/us-central1/secrets/s")
    assert regional.code == 2
    assert (
        "error: 'projects/p/locations/us-central1/secrets/s' is not a secret name" in regional.err
    )
    assert "(regional secrets are not supported)" in regional.err

    no_project = cli("plan", "pypi-token", unset=("GOOGLE_CLOUD_PROJECT", "CLOUDSDK_CORE_PROJECT"))
    assert no_project.code == 2
    assert "error: no project given" in no_project.err
    assert "remedy: give projects/PROJECT/secrets/pypi-token, or --project" in no_project.err

    by_id = cli("status", "pypi-token", "--project", PROJECT)
    by_variable = cli("status", "pypi-token", env={"GOOGLE_CLOUD_PROJECT": PROJECT})
    assert by_id.code == by_variable.code == 0
    assert (
        by_id.out.splitlines()[0] == by_variable.out.splitlines()[0] == f"secret         {secret}"
    )


def test_secrets_the_tool_does_not_manage_or_cannot_read_are_usage_errors(cloud, cli):
    plain = cloud.secret("plain", payload="not-a-managed-token")
    for command in ("plan", "rotate", "rollback", "cleanup", "republish", "history"):
        refused = cli(command, plain)
        assert refused.code == 2, (command, refused.err)
        assert f"error: secret {plain} has no token-rotator.source annotation" in refused.err
        assert "remedy: name a secret that opted in" in refused.err

    misconfigured = cloud.rotated_secret(min_interval="often")
    refused = cli("rotate", misconfigured)
    assert refused.code == 2
    assert "annotation token-rotator.min-interval: 'often' is not a duration" in refused.err
    assert cloud.versions(misconfigured) == {1: "ENABLED"}


def test_the_command_line_calls_google_as_itself_not_as_the_function(cloud, cli, emulator):
    secret = cloud.rotated_secret()
    function_calls = set(emulator.control.called_by.get(USER_AGENT, set()))
    shown = cli("status", secret, unset=("AR_TOKEN_ROTATOR_USER_AGENT",))
    assert shown.code == 0, shown.err
    assert "SecretManagerService.GetSecret" in emulator.control.called_by[CLI_USER_AGENT]
    assert emulator.control.called_by.get(USER_AGENT, set()) == function_calls
