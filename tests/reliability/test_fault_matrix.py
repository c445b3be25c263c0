"""The fault matrix: every external call a rotation makes, Google API or upstream HTTP, in order,
meets (a) a transient error, (b) a crash of the function right after the call took effect, and
(c) an operator who, just before the call, creates a repository like the rotated one (on the
version that one uses then) and lists it in the secret's annotations; then delivery retries. The calls are those of a clean run, recorded, not listed here.

A crash kills the Functions Framework's worker process while the call's effect stands (a version
added, a repository moved, a lease taken) and before the function reads the answer; the push
request dies with it and Pub/Sub redelivers to the fresh worker. A crash just before a call is
the crash just after the one before it, so this covers every point a process can die at.

Before every call the emulator serves, the five invariants of rotation-lessons.md are checked from
the emulator's state (tests/reliability/invariants.py); after each case, that the rotation
completed, with the operator's repository moved too and the operator's edit kept. The results
print as a table at the end of the run.
"""

from __future__ import annotations

import pytest

from emulator.upstream import PypiServer
from emulator.upstream_proxy import UpstreamProxy
from tests.reliability.docker_upstream import docker_hub
from tests.reliability.fault_cases import recording, run_case
from tests.reliability.fault_scenarios import SCENARIOS
from tests.reliability.matrix import FAULTS, MATRIX
from tests.reliability.rig import MATRIX_LEASE, Rig
from tests.reliability.upstreams import GitLabUpstream, PypiUpstream


@pytest.fixture(scope="module")
def rig(emulator_session, start_function, authority_session, private_index, tmp_path_factory):
    index = PypiServer(tmp_path_factory.mktemp("pypi"), authenticated_reads=False)
    control = emulator_session.control
    with (
        UpstreamProxy(f"http://127.0.0.1:{index.port}", control) as pypi,
        UpstreamProxy(authority_session.url, control) as gitlab,
        docker_hub(control, tmp_path_factory.mktemp("docker-hub")) as docker,
    ):
        # The function reaches the upstreams through the proxies: it may contact those hosts (the
        # registry, a repository's upstream, it may anyway).
        proxies = (pypi, gitlab, *docker.proxies)
        function = start_function(
            ROTATION_LEASE=MATRIX_LEASE,
            ALLOWED_UPSTREAM_HOSTS=",".join(f"127.0.0.1:{proxy.port}" for proxy in proxies),
        )
        control.crash_handler = function.crash
        yield Rig(
            emulator_session,
            function,
            PypiUpstream(pypi),
            GitLabUpstream(authority_session, gitlab),
            private_index,
            docker,
        )
    control.crash_handler = None
    index.stop()


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.name.replace(" ", "-"))
def test_clean_runs_make_the_calls_the_matrix_covers(emulator, rig, scenario):
    methods = [step.method for step in recording(rig, scenario)]
    assert methods[0] == "SecretManagerService.GetSecret"
    assert methods.count("SecretManagerService.AddSecretVersion") == 1
    assert methods.count("ArtifactRegistry.UpdateRepository") == 1
    assert methods[-1] == "SecretManagerService.UpdateSecret"
    assert {method: methods.count(method) for method in scenario.calls} == scenario.calls


@pytest.mark.parametrize("fault", FAULTS)
@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.name.replace(" ", "-"))
def test_every_call_survives_the_fault(emulator, rig, scenario, fault):
    failures = []
    for position, step in enumerate(recording(rig, scenario), 1):
        ok, result = run_case(rig, scenario, step, fault)
        MATRIX.record(scenario.name, position, step.label, fault=fault, ok=ok, result=result)
        if not ok:
            failures.append(f"#{position} {step.label}: {result}")
    assert failures == []
