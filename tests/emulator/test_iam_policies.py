"""Secret and project IAM policies follow one contract in the emulator (emulator/iam.py)."""

from __future__ import annotations

import pytest
from google.api_core import exceptions

from rotation.gcp import clients
from tests.support import PROJECT, World


@pytest.fixture
def world(emulator):
    return World(emulator)


def test_both_services_reject_a_bad_member_and_a_stale_etag(world):
    secret = world.secret("policy-secret", rotation=False)
    secret_policy = world.sm.get_iam_policy(request={"resource": secret})
    project_policy = clients.projects().get_iam_policy(request={"resource": f"projects/{PROJECT}"})
    for set_policy, resource, policy in (
        (world.sm.set_iam_policy, secret, secret_policy),
        (clients.projects().set_iam_policy, f"projects/{PROJECT}", project_policy),
    ):
        bad = type(policy)()
        bad.CopyFrom(policy)
        bad.bindings.add(role="roles/viewer", members=["not-a-member"])
        with pytest.raises(exceptions.InvalidArgument, match="Invalid member 'not-a-member'"):
            set_policy(request={"resource": resource, "policy": bad})
        good = type(policy)()
        good.CopyFrom(policy)
        good.bindings.add(role="roles/viewer", members=["user:a@example.com"])
        set_policy(request={"resource": resource, "policy": good})
        with pytest.raises(exceptions.Aborted, match="concurrent policy changes"):
            set_policy(request={"resource": resource, "policy": good})
