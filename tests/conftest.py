"""Shared fixtures: one emulator and one function server per test session, reset between tests.

Every secret payload a test stored is collected, and at the end of the session every log the
function wrote, and every output the tests captured, is scanned for them: no token may appear.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from emulator import Emulator
from emulator.cloud_function import LocalFunction
from emulator.token_authority import TokenAuthority
from emulator.upstream import PypiServer
from rotation import clients
from rotation.token import Token
from tests.support import World
from tests.upstreams import PACKAGE, PACKAGE_VERSION

TEST_USER_AGENT = "ar-token-rotator-tests/0"
SEEN_SECRETS: set[str] = set()
CAPTURED_OUTPUT: list[str] = []


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
    SEEN_SECRETS.update(emulator_session.secret_manager.payloads())
    clients.reset()


@pytest.fixture(scope="session")
def function_server(
    emulator_session: Emulator, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LocalFunction]:
    log_path: Path = tmp_path_factory.mktemp("function") / "function.log"
    env = {
        **emulator_session.env(),
        "CHECK_DELAY": "0s",
        "CHECK_ATTEMPTS": "1",
        "ROTATION_LEASE": "5m",
    }
    server = LocalFunction(env, log_path)
    yield server
    server.stop()
    CAPTURED_OUTPUT.append(log_path.read_text(errors="replace"))


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
        SEEN_SECRETS.update(authority.issued_values())


@pytest.fixture
def authority(authority_session: TokenAuthority) -> Iterator[TokenAuthority]:
    """The token authority (GitLab, Artifactory and webhook APIs), with no faults set."""
    authority_session.reset()
    yield authority_session
    SEEN_SECRETS.update(authority_session.issued_values())


@pytest.fixture
def world(emulator: Emulator, function_server: LocalFunction) -> World:
    """A clean cloud whose secret notifications are pushed to the function."""
    return World(emulator, function_server.url)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    report = (yield).get_result()
    CAPTURED_OUTPUT.append(
        report.capstdout + report.capstderr + report.caplog + report.longreprtext
    )


def find_leaks(values: set[str], outputs: list[str]) -> list[str]:
    """Fingerprints of the values (16 characters or more) that appear in any output."""
    return sorted(
        {Token(v).fingerprint for v in values if len(v) >= 16 for text in outputs if v in text}
    )


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Fail the run if any stored secret value shows up in any output."""
    tokens = {token for token in SEEN_SECRETS if len(token) >= 16}
    leaks = find_leaks(tokens, CAPTURED_OUTPUT)
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(
            f"token redaction: scanned {len(CAPTURED_OUTPUT)} outputs for {len(tokens)} stored values: "
            f"{len(leaks)} leaked"
        )
    if leaks:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
        if reporter is not None:
            reporter.write_line(f"LEAKED tokens, by sha256 fingerprint: {leaks}", red=True)
