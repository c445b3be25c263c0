"""`python -m playground` (what `make playground` runs) as its own process group: `ready`, then
README.md's playground commands exactly as written, each exiting 0, then SIGINT ends the whole
process tree. Also: a file the playground does not understand is refused before anything starts."""

from __future__ import annotations

import os
import queue
import signal
import socket
import subprocess
import sys
import time

import pytest

from emulator.processes import read_process
from playground.errors import PlaygroundError
from playground.loading import DEFAULT_CONFIG, load
from playground.shutdown import descendants, stop_left_behind
from playground.world import Ports, check_free
from tests.playground.playground_support import (
    CLOCK_MARK,
    ENV_FILE,
    ROOT,
    clean_env,
    process_group,
    read_until_ready,
    readme_commands,
    run_commands,
)

MAKE_PLAYGROUND = ["make", "--no-print-directory", "playground"]
PYTHON_PLAYGROUND = [sys.executable, "-m", "playground"]


@pytest.fixture
def playground(request, tmp_path):
    """The playground in its own process group on free ports; `request.param` is how it is run."""
    errors = (tmp_path / "stderr").open("w")
    process = subprocess.Popen(
        request.param,
        cwd=ROOT,
        env=clean_env(PLAYGROUND_GRPC_PORT="0", PLAYGROUND_HTTP_PORT="0"),
        stdout=subprocess.PIPE,
        stderr=errors,
        text=True,
        start_new_session=True,
    )
    try:
        yield process, tmp_path / "stderr"
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        errors.close()


@pytest.mark.parametrize("playground", [MAKE_PLAYGROUND], indirect=True)
def test_the_readme_commands_work_against_the_playground(playground, tmp_path):
    """`make playground` in the background, the README's commands as written, then Ctrl-C."""
    process, stderr = playground
    try:
        printed = read_until_ready(process, timeout=90)
    except queue.Empty:
        pytest.fail("no ready within 90s:\n" + stderr.read_text()[-3000:])
    exports = dict(
        line.removeprefix("export ").split("=", 1) for line in printed if line.startswith("export ")
    )
    assert {"SECRET_MANAGER_EMULATOR_HOST", "EMULATOR_HTTP", "GOOGLE_CLOUD_PROJECT"} <= set(exports)
    assert ENV_FILE.read_text().count("export ") == len(exports)

    commands = readme_commands()
    assert commands[0] == "source .playground/env"
    suggested = [line.removeprefix("#   ") for line in printed if line.startswith("#   ")]
    assert suggested[: len(commands)] == commands  # what it prints to try is the README's
    results, output = run_commands(commands, tmp_path / "codes")
    failed = [commands[i] for i, code in enumerate(results) if code != 0]
    assert len(results) == len(commands) and not failed, f"{failed}\n{output[-6000:]}"
    assert "rotation cli-" in output and "completed; current 2, previous 1" in output
    assert "rolled back to version 2" in output
    assert "Successfully installed tiny-pkg-1.0" in output

    # One clock: moved 31 days, the scheduled rotation happens, made "moments ago" for everyone.
    later = [commands[0], *readme_commands(CLOCK_MARK)]
    results, output = run_commands(later, tmp_path / "codes-later")
    assert results == [0] * len(later), output[-6000:]
    [current] = [line for line in output.splitlines() if line.startswith("current ")]
    assert current.split()[1] == "4" and current.split()[4] == "ago", output[-3000:]

    # A terminal's Ctrl-C reaches every process of the group at once: make reports the
    # interrupt and dies of it, the playground stops what it started.
    ctrl_c = lambda: os.killpg(process.pid, signal.SIGINT)  # noqa: E731
    assert_stops_the_whole_tree(process, stderr, ctrl_c, exit_code=-signal.SIGINT)
    assert "playground: stopped" in stderr.read_text()


@pytest.mark.parametrize("playground", [PYTHON_PLAYGROUND], indirect=True)
def test_an_interrupt_of_the_playground_alone_stops_the_whole_tree(playground):
    """SIGINT to the playground's process only (`kill -INT`): it stops its children itself."""
    process, stderr = playground
    read_until_ready(process, timeout=90)
    assert_stops_the_whole_tree(process, stderr, lambda: process.send_signal(signal.SIGINT))


def running(pid: int) -> bool:
    """Alive and not a zombie (an exited child whose parent has not reaped it yet runs nothing)."""
    process = read_process(pid)
    return process is not None and process.running


def assert_stops_the_whole_tree(process, stderr, send, exit_code=0):
    tree = process_group(process.pid)
    function = [pid for pid, command in tree.items() if "functions-framework" in command]
    assert function and len(tree) >= 4, tree  # itself, the index, the function and its worker
    send()
    assert process.wait(timeout=60) == exit_code, stderr.read_text()[-3000:]
    assert "Traceback" not in stderr.read_text()
    deadline = time.monotonic() + 30
    while process_group(process.pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert process_group(process.pid) == {}
    assert not [pid for pid in function if running(pid)]
    assert not ENV_FILE.exists()


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda t: t.replace("[projects]", "colour = 1\n[projects]"), "unknown key 'colour'"),
        (
            lambda t: t.replace('id = "gitlab-remote"', 'id = "gitlab-remote"\nusernme = "x"'),
            "unknown key 'repositories[0].usernme'",
        ),
        (lambda t: t.replace('first = "1h"', 'first = "1 hour"'), "secrets[1].rotation.first"),
        (
            lambda t: t.replace('secret = "gitlab-pypi-token"', 'secret = "nope"'),
            "grants[0].secret = 'nope' names no secret",
        ),
        (
            lambda t: t.replace("{ gitlab = ", "{ gitlub = "),
            "unknown key 'secrets[1].first-token.gitlub'",
        ),
    ],
)
def test_a_file_it_does_not_understand_is_refused_naming_file_and_key(tmp_path, edit, message):
    path = tmp_path / "mine.toml"
    path.write_text(edit(DEFAULT_CONFIG.read_text()))
    with pytest.raises(PlaygroundError) as refused:
        load(path)
    assert str(refused.value).startswith(f"{path}: ")
    assert message in str(refused.value)
    assert refused.value.remedy


def test_the_command_refuses_the_file_before_starting_anything(tmp_path):
    path, env_file = tmp_path / "mine.toml", tmp_path / "env"
    path.write_text(DEFAULT_CONFIG.read_text() + "\n[extras]\n")
    result = subprocess.run(
        [sys.executable, "-m", "playground", "--config", str(path), "--env-file", str(env_file)],
        cwd=ROOT,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert f"{path}: unknown key 'extras'" in result.stderr and "remedy:" in result.stderr
    assert result.stdout == "" and not env_file.exists()


def test_a_port_in_use_is_refused_with_the_option_to_change():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        with pytest.raises(PlaygroundError, match="--http-port"):
            check_free(Ports(grpc=0, http=taken.getsockname()[1]))


def test_make_playground_runs_the_package():
    recipe = subprocess.run(
        ["make", "-n", "playground"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert "-m playground" in recipe.stdout, recipe.stdout + recipe.stderr


def test_a_process_its_parent_left_behind_is_stopped_too():
    """The backstop finds what it started even once reparented (a worker whose master died)."""
    parent = subprocess.Popen(
        ["bash", "-c", "sleep 300 & echo $!; wait"], stdout=subprocess.PIPE, text=True
    )
    assert parent.stdout is not None
    orphan = int(parent.stdout.readline())
    started = {p for p in descendants(os.getpid()) if p.pid in (parent.pid, orphan)}
    assert {p.pid for p in started} == {parent.pid, orphan}
    parent.kill()
    parent.wait()
    stop_left_behind(started, timeout=5)
    deadline = time.monotonic() + 10
    while process_group(os.getpgid(0)).get(orphan) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert orphan not in process_group(os.getpgid(0))
