"""Shared fixtures: one emulator and one function server per test session, reset between tests.

Every secret payload a test stored is collected, and at the end of the session everything the
suite saw is scanned for them (tests/redaction.py): no token may appear.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from emulator import Emulator
from emulator.cloud_function import LocalFunction
from emulator.token_authority import TokenAuthority
from emulator.upstream import PypiServer
from rotation.gcp import clients
from tests.redaction import SCAN
from tests.reliability.matrix import MATRIX
from tests.support import FUNCTION_ACCOUNT, World
from tests.upstreams import PACKAGE, PACKAGE_VERSION, allowed_upstream_hosts

TEST_USER_AGENT = "ar-token-rotator-tests/0"
FUNCTION_ENV = {
    "CHECK_DELAY": "0s",
    "CHECK_ATTEMPTS": "1",
    "ROTATION_LEASE": "5m",
    "REPOINT_BACKOFF": "0s",
}
FUNCTION_THREADS = 8


@pytest.fixture(scope="session")
def emulator_session() -> Iterator[Emulator]:
    with Emulator() as emulator:
        yield emulator


@pytest.fixture
def emulator(emulator_session: Emulator, monkeypatch: pytest.MonkeyPatch) -> Iterator[Emulator]:
    """A clean emulator, with the `*_EMULATOR_HOST` variables pointing the real clients at it."""
    emulator_session.reset()
    for name, value in emulator_session.env().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AR_TOKEN_ROTATOR_USER_AGENT", TEST_USER_AGENT)
    clients.reset()
    yield emulator_session
    SCAN.collect(emulator_session)
    clients.reset()


StartFunction = Callable[..., LocalFunction]


@pytest.fixture(scope="session")
def start_function(
    emulator_session: Emulator, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[StartFunction]:
    """Start a Functions Framework server on the emulator; its log joins the token scan."""
    started: list[LocalFunction] = []
    key_file = emulator_session.credential_file(
        FUNCTION_ACCOUNT, tmp_path_factory.mktemp("function-account") / "key.json"
    )

    def start(threads: int = FUNCTION_THREADS, **env: str) -> LocalFunction:
        """The function runs as its own service account, holding only what the Terraform module
        grants it (World applies those grants)."""
        log_path: Path = tmp_path_factory.mktemp("function") / "function.log"
        SCAN.function_logs.append(log_path)
        credentials = {"GOOGLE_APPLICATION_CREDENTIALS": str(key_file)}
        server = LocalFunction(
            {**emulator_session.env(), **FUNCTION_ENV, **credentials, **env},
            log_path,
            threads=threads,
        )
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture(scope="session")
def function_server(
    start_function: StartFunction, authority_session: TokenAuthority, private_index: PypiServer
) -> LocalFunction:
    return start_function(
        ALLOWED_UPSTREAM_HOSTS=allowed_upstream_hosts(authority_session, private_index)
    )


@pytest.fixture(scope="session")
def private_index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PypiServer]:
    """A private upstream index: pypiserver refusing reads without a live token."""
    server = PypiServer(tmp_path_factory.mktemp("private-index"), authenticated_reads=True)
    server.publish(PACKAGE, PACKAGE_VERSION)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def authority_session(private_index: PypiServer) -> Iterator[TokenAuthority]:
    with TokenAuthority(private_index) as authority:
        yield authority
        SCAN.values.update(authority.issued_values())


@pytest.fixture
def authority(authority_session: TokenAuthority) -> Iterator[TokenAuthority]:
    """The token authority (GitLab, Artifactory and webhook APIs), with no faults set."""
    authority_session.reset()
    yield authority_session
    SCAN.values.update(authority_session.issued_values())


@pytest.fixture
def world(emulator: Emulator, function_server: LocalFunction) -> World:
    """A clean cloud whose secret notifications are pushed to the function."""
    return World(emulator, function_server.url)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    report = (yield).get_result()
    SCAN.outputs.append(report.capstdout + report.capstderr + report.caplog + report.longreprtext)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    for line in MATRIX.table():
        terminalreporter.write_line(line)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Fail the run if any stored secret value shows up in anything the suite saw."""
    report, leaks = SCAN.run()
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(report)
    if leaks:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
        if reporter is not None:
            reporter.write_line(f"LEAKED tokens, by sha256 fingerprint: {leaks}", red=True)
