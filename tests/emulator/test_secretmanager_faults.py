"""The Secret Manager emulator through the real client over gRPC: injected faults, and the
payloads it kept until a reset."""

from __future__ import annotations

import grpc
import pytest
from google.api_core import exceptions

from tests.emulator.secretmanager_support import (
    BY_ID,
    NAME,
    add,
    create,
)


def test_injected_fault_reaches_the_client(emulator, sm):
    create(sm)
    emulator.control.fail("SecretManagerService.AddSecretVersion", grpc.StatusCode.UNAVAILABLE)

    with pytest.raises(exceptions.ServiceUnavailable):
        sm.add_secret_version(parent=BY_ID, payload={"data": b"one"}, retry=None)
    version = add(sm, b"one")

    assert version.name == f"{NAME}/versions/1"
    assert emulator.control.counts["SecretManagerService.AddSecretVersion"] == 2


def test_payloads_include_destroyed_versions_until_reset(emulator, sm):
    create(sm)
    add(sm, b"first-token")
    sm.destroy_secret_version(name=f"{BY_ID}/versions/1")
    add(sm, b"second-token")

    assert emulator.secret_manager.payloads() == {"first-token", "second-token"}
    emulator.secret_manager.reset()
    assert emulator.secret_manager.payloads() == set()
    with pytest.raises(exceptions.NotFound):
        sm.get_secret(name=BY_ID)
