"""The Secret Manager emulator through the real client over gRPC: a secret's IAM policy."""

from __future__ import annotations

import pytest
from google.api_core import exceptions
from google.iam.v1 import policy_pb2

from tests.emulator.secretmanager_support import (
    BY_ID,
    NAME,
    PROJECT,
    create,
)


def test_iam_policy_read_modify_write(emulator, sm):
    create(sm)
    initial = sm.get_iam_policy(request={"resource": BY_ID})
    assert (initial.version, list(initial.bindings)) == (1, [])
    assert initial.etag

    binding = policy_pb2.Binding(
        role="roles/secretmanager.secretAccessor",
        members=[
            "serviceAccount:service-123456789012@gcp-sa-artifactregistry.iam.gserviceaccount.com"
        ],
    )
    policy = policy_pb2.Policy(bindings=[binding], etag=initial.etag)
    stored = sm.set_iam_policy(request={"resource": BY_ID, "policy": policy})

    assert list(stored.bindings) == [binding]
    assert stored.etag != initial.etag
    assert sm.get_iam_policy(request={"resource": NAME}) == stored
    with pytest.raises(exceptions.Aborted):
        sm.set_iam_policy(request={"resource": BY_ID, "policy": policy})
    unconditional = sm.set_iam_policy(request={"resource": BY_ID, "policy": {"bindings": []}})
    assert list(unconditional.bindings) == []


def test_iam_test_permissions_and_errors(emulator, sm):
    create(sm)
    asked = ["secretmanager.versions.access", "secretmanager.secrets.get"]

    answer = sm.test_iam_permissions(request={"resource": BY_ID, "permissions": asked})

    assert list(answer.permissions) == asked
    missing = f"{PROJECT}/secrets/missing"
    with pytest.raises(exceptions.NotFound):
        sm.get_iam_policy(request={"resource": missing})
    with pytest.raises(exceptions.NotFound):
        sm.set_iam_policy(request={"resource": missing, "policy": {}})
    with pytest.raises(exceptions.NotFound):
        sm.test_iam_permissions(request={"resource": missing, "permissions": asked})
