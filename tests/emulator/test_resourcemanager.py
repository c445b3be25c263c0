"""The Resource Manager emulator, driven through the real resourcemanager_v3 client over gRPC."""

from __future__ import annotations

import grpc
import pytest
from google.api_core import exceptions
from google.cloud import resourcemanager_v3 as rm
from google.iam.v1 import policy_pb2
from google.protobuf import field_mask_pb2

from rotation.gcp import clients

AR_AGENT = "serviceAccount:service-123456789012@gcp-sa-artifactregistry.iam.gserviceaccount.com"
ACCESSOR = "roles/secretmanager.secretAccessor"


def set_policy(resource: str, policy: policy_pb2.Policy, *mask: str) -> policy_pb2.Policy:
    request = {"resource": resource, "policy": policy}
    if mask:
        request["update_mask"] = field_mask_pb2.FieldMask(paths=list(mask))
    return clients.projects().set_iam_policy(request=request)


@pytest.mark.parametrize("name", ["projects/demo-project", "projects/123456789012"])
def test_get_project_by_id_or_number(emulator, name):
    project = clients.projects().get_project(name=name)

    assert project.name == "projects/123456789012"
    assert project.project_id == "demo-project"
    assert project.display_name == "demo-project"
    assert project.state == rm.Project.State.ACTIVE


def test_unknown_project_is_permission_denied(emulator):
    with pytest.raises(exceptions.PermissionDenied):
        clients.projects().get_project(name="projects/no-such-project")
    with pytest.raises(exceptions.PermissionDenied):
        clients.projects().get_iam_policy(resource="projects/999")


def test_malformed_project_name_is_invalid(emulator):
    with pytest.raises(exceptions.InvalidArgument):
        clients.projects().get_project(name="demo-project")


def test_granted_role_is_read_back_by_id_and_number(emulator):
    client = clients.projects()
    policy = client.get_iam_policy(resource="projects/demo-project")
    assert list(policy.bindings) == []
    assert policy.etag

    policy.bindings.add(role=ACCESSOR, members=[AR_AGENT])
    written = set_policy("projects/demo-project", policy)

    assert written.etag != policy.etag
    read = client.get_iam_policy(resource="projects/123456789012")
    assert read == written
    assert [(b.role, list(b.members)) for b in read.bindings] == [(ACCESSOR, [AR_AGENT])]


def test_stale_etag_is_aborted_and_no_etag_overwrites(emulator):
    client = clients.projects()
    stale = client.get_iam_policy(resource="projects/demo-project")
    set_policy("projects/demo-project", stale)

    stale.bindings.add(role="roles/viewer", members=["user:alice@example.com"])
    with pytest.raises(exceptions.Aborted):
        set_policy("projects/demo-project", stale)

    stale.ClearField("etag")
    set_policy("projects/demo-project", stale)
    assert client.get_iam_policy(resource="projects/demo-project").bindings == stale.bindings


def test_grant_helper_changes_the_etag(emulator):
    before = clients.projects().get_iam_policy(resource="projects/demo-project")

    emulator.resource_manager.grant("demo-project", ACCESSOR, AR_AGENT)
    emulator.resource_manager.grant("123456789012", ACCESSOR, AR_AGENT)

    after = clients.projects().get_iam_policy(resource="projects/demo-project")
    assert [(b.role, list(b.members)) for b in after.bindings] == [(ACCESSOR, [AR_AGENT])]
    with pytest.raises(exceptions.Aborted):
        set_policy("projects/demo-project", before)


def test_policies_are_per_project(emulator):
    emulator.resource_manager.grant("demo-project", ACCESSOR, AR_AGENT)

    other = clients.projects().get_iam_policy(resource="projects/other-project")

    assert list(other.bindings) == []


@pytest.mark.parametrize(
    "binding",
    [
        policy_pb2.Binding(role="secretmanager.secretAccessor", members=[AR_AGENT]),
        policy_pb2.Binding(role=ACCESSOR, members=["service-1@example.com"]),
    ],
    ids=["role without roles/", "member without type"],
)
def test_invalid_bindings_are_rejected(emulator, binding):
    with pytest.raises(exceptions.InvalidArgument):
        set_policy("projects/demo-project", policy_pb2.Policy(bindings=[binding]))


def test_audit_configs_change_only_when_the_mask_names_them(emulator):
    audit = policy_pb2.AuditConfig(service="allServices")
    set_policy("projects/demo-project", policy_pb2.Policy(audit_configs=[audit]), "audit_configs")

    set_policy(
        "projects/demo-project",
        policy_pb2.Policy(bindings=[policy_pb2.Binding(role=ACCESSOR, members=[AR_AGENT])]),
    )

    policy = emulator.resource_manager.policy("demo-project")
    assert list(policy.audit_configs) == [audit]
    assert len(policy.bindings) == 1


def test_unknown_mask_field_is_invalid(emulator):
    with pytest.raises(exceptions.InvalidArgument):
        set_policy("projects/demo-project", policy_pb2.Policy(), "owners")


def test_client_retries_an_injected_unavailable(emulator):
    emulator.control.fail("Projects.GetProject", grpc.StatusCode.UNAVAILABLE)

    project = clients.projects().get_project(name="projects/demo-project")

    assert project.project_id == "demo-project"
    assert emulator.control.counts["Projects.GetProject"] == 2


def test_reset_clears_policies(emulator):
    emulator.resource_manager.grant("demo-project", ACCESSOR, AR_AGENT)

    emulator.reset()

    assert list(emulator.resource_manager.policy("demo-project").bindings) == []
