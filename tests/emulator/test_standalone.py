"""`python -m emulator` as its own process: export lines, `ready`, real clients, clean shutdown."""

from __future__ import annotations

import queue
import signal
import subprocess
import sys
import threading
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest
from google.cloud import artifactregistry_v1 as ar

from emulator.__main__ import main
from rotation.gcp import clients

ROOT = Path(__file__).resolve().parents[2]
HOST_VARIABLES = {
    "SECRET_MANAGER_EMULATOR_HOST",
    "ARTIFACT_REGISTRY_EMULATOR_HOST",
    "RESOURCE_MANAGER_EMULATOR_HOST",
    "PUBSUB_EMULATOR_HOST",
}


def read_exports(process: subprocess.Popen[str], timeout: float = 30) -> dict[str, str]:
    """The `export NAME=VALUE` lines printed before `ready`."""
    lines: queue.Queue[str] = queue.Queue()
    stdout = process.stdout
    assert stdout is not None

    def pump() -> None:
        for line in stdout:
            lines.put(line)

    threading.Thread(target=pump, daemon=True).start()
    exports: dict[str, str] = {}
    while True:
        line = lines.get(timeout=timeout).strip()
        if line == "ready":
            return exports
        assert line.startswith("export "), line
        name, _, value = line.removeprefix("export ").partition("=")
        exports[name] = value


@pytest.fixture
def standalone(monkeypatch):
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "emulator"),
            *("--grpc-port", "0", "--http-port", "0", "--project", "solo-project=42"),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        exports = read_exports(process)
        for name, value in exports.items():
            monkeypatch.setenv(name, value)
        clients.reset()
        yield process, exports
    finally:
        clients.reset()
        if process.poll() is None:
            process.kill()
            process.wait()


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_standalone_emulator_serves_until_signalled(standalone, signum):
    process, exports = standalone
    assert set(exports) == HOST_VARIABLES | {"EMULATOR_HTTP"}
    assert len({exports[name] for name in HOST_VARIABLES}) == 1
    assert exports["EMULATOR_HTTP"].startswith("http://127.0.0.1:")

    project = clients.projects().get_project(name="projects/solo-project")
    assert project.name == "projects/42"
    operation = clients.artifact_registry().create_repository(
        parent="projects/42/locations/us-central1",
        repository_id="pypi",
        repository=ar.Repository(
            format_=ar.Repository.Format.PYTHON, mode=ar.Repository.Mode.STANDARD_REPOSITORY
        ),
    )
    assert operation.result(timeout=5).name == (
        "projects/solo-project/locations/us-central1/repositories/pypi"
    )

    http = exports["EMULATOR_HTTP"]
    before = datetime.fromisoformat(httpx.get(f"{http}/_emulator/clock").json()["now"])
    moved = httpx.post(f"{http}/_emulator/clock", json={"advance_seconds": 7200}).json()["now"]
    assert datetime.fromisoformat(moved) - before >= timedelta(hours=2)

    process.send_signal(signum)
    assert process.wait(timeout=15) == 0


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--project", "demo-project"], "expected ID=NUMBER"),
        (["--project", "demo-project=abc"], "expected ID=NUMBER"),
        (["--project", "Demo=1"], "expected ID=NUMBER"),
        (["--project", "demo-project=1", "--project", "demo-project=2"], "only once"),
        (["--project", "demo-project=1", "--project", "other-project=1"], "only once"),
        (["--push-endpoint", "localhost:8080"], "URL"),
    ],
)
def test_bad_arguments_are_argparse_errors(capsys, arguments, message):
    with pytest.raises(SystemExit) as exit_info:
        main(arguments)

    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err
