"""The function host: THREADS reaches the Functions Framework, and a crash kills the worker while
the Functions Framework's master keeps the port and starts a fresh one."""

from __future__ import annotations

import time

import httpx

from emulator.processes import child_processes


def workers(function) -> set[int]:
    return set(child_processes(function.process.pid))


def test_crash_replaces_the_worker_and_the_port_stays_served(start_function):
    function = start_function(threads=1)
    before = workers(function)

    function.crash()
    deadline = time.monotonic() + 30
    while not (workers(function) - before) and time.monotonic() < deadline:
        time.sleep(0.05)
    answer = httpx.post(function.url, content=b"{}", headers={"content-type": "application/json"})

    assert len(before) == 1
    assert workers(function) and workers(function).isdisjoint(before)
    assert answer.status_code == 400  # served by the fresh worker: not a CloudEvent
