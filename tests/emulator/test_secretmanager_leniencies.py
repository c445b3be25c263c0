"""The Secret Manager emulator through the real client over gRPC: leniencies the real service
does not have (point 6)."""

from __future__ import annotations

import pytest
from google.api_core import exceptions

from emulator.secretmanager import DEFAULT_PAGE_SIZE
from rotation.gcp.secret_manager import SecretStore
from tests.emulator.secretmanager_support import (
    BY_ID,
    NAME,
    PROJECT,
    add,
    create,
    event_types,
    update,
)


@pytest.mark.parametrize("reference", ["latest", "current"])
@pytest.mark.parametrize("call", ["enable", "disable", "destroy"])
def test_version_state_calls_take_a_number_only(emulator, sm, call, reference):
    create(sm)
    add(sm, b"one")
    update(sm, ["version_aliases"], version_aliases={"current": 1})
    method = getattr(sm, f"{call}_secret_version")

    with pytest.raises(exceptions.InvalidArgument, match="version number"):
        method(name=f"{BY_ID}/versions/{reference}")
    assert sm.get_secret_version(name=f"{BY_ID}/versions/1").state.name == "ENABLED"
    assert method(name=f"{BY_ID}/versions/1").name == f"{NAME}/versions/1"


def test_lists_without_a_page_size_page_and_the_adapter_reads_every_page(emulator, sm):
    count = DEFAULT_PAGE_SIZE + 2
    create(sm)
    for index in range(count):
        add(sm, f"v{index}".encode())
        create(sm, secret_id=f"other-{index}")
    versions = sm.list_secret_versions(request={"parent": BY_ID})
    secrets = sm.list_secrets(request={"parent": PROJECT})

    assert [len(page.versions) for page in versions.pages] == [DEFAULT_PAGE_SIZE, 2]
    assert [len(page.secrets) for page in secrets.pages] == [DEFAULT_PAGE_SIZE, 3]
    store = SecretStore()
    assert [v.number for v in store.versions(BY_ID)] == list(range(count, 0, -1))
    assert len(store.in_project("demo-project")) == count + 1


def test_a_notification_whose_topic_is_missing_is_published_once_the_topic_exists(emulator, sm):
    later = f"{PROJECT}/topics/created-later"
    create(sm, topics=[{"name": later}])
    add(sm, b"one")
    assert emulator.pubsub.messages(later) == []
    assert emulator.secret_manager.undelivered() == 3

    emulator.pubsub.create_topic(later)

    assert event_types(emulator, later) == [
        "TOPIC_CONFIGURED",
        "SECRET_CREATE",
        "SECRET_VERSION_ADD",
    ]
    assert emulator.secret_manager.undelivered() == 0
    add(sm, b"two")
    assert event_types(emulator, later)[-1] == "SECRET_VERSION_ADD"


def test_a_version_reports_the_replication_of_its_secret(emulator, sm):
    create(sm)
    assert "automatic" in add(sm, b"automatic-token-0123").replication_status
    replicas = [{"location": "europe-west1"}, {"location": "us-central1"}]
    create(sm, "by-hand", replication={"user_managed": {"replicas": replicas}})
    version = add(sm, b"user-managed-token-01", parent=f"{PROJECT}/secrets/by-hand")
    assert [r.location for r in version.replication_status.user_managed.replicas] == [
        "europe-west1",
        "us-central1",
    ]
