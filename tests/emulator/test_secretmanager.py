"""The Secret Manager emulator through the real client over gRPC: every RPC, its errors, etags,
aliases, notifications and the rotation schedule."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import google_crc32c
import grpc
import pytest
from google.api_core import exceptions
from google.iam.v1 import policy_pb2
from google.protobuf import field_mask_pb2

from emulator.secretmanager import DEFAULT_PAGE_SIZE
from rotation.gcp import clients
from rotation.gcp.secret_manager import SecretStore

PROJECT = "projects/demo-project"
NUMBER = "projects/123456789012"
SECRET_ID = "pypi-token"
NAME = f"{NUMBER}/secrets/{SECRET_ID}"
BY_ID = f"{PROJECT}/secrets/{SECRET_ID}"
TOPIC = f"{PROJECT}/topics/secret-events"
ETAG = re.compile(r'"[0-9a-f]+"')
TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}[+-]\d\d:\d\d")


@dataclass
class Event:
    event_type: str
    attributes: dict[str, str]
    body: dict[str, Any] | None


@pytest.fixture
def sm(emulator):
    emulator.pubsub.create_topic(TOPIC)
    return clients.secret_manager()


def create(sm, secret_id: str = SECRET_ID, parent: str = PROJECT, **fields: Any):
    secret = {"replication": {"automatic": {}}, **fields}
    return sm.create_secret(parent=parent, secret_id=secret_id, secret=secret)


def add(sm, data: bytes, parent: str = BY_ID):
    return sm.add_secret_version(parent=parent, payload={"data": data})


def update(sm, paths: list[str], **secret: Any):
    return sm.update_secret(
        secret={"name": BY_ID, **secret}, update_mask=field_mask_pb2.FieldMask(paths=paths)
    )


def events(emulator, topic: str = TOPIC) -> list[Event]:
    return [
        Event(m.attributes["eventType"], m.attributes, json.loads(m.data) if m.data else None)
        for m in emulator.pubsub.messages(topic)
    ]


def event_types(emulator, topic: str = TOPIC) -> list[str]:
    return [event.event_type for event in events(emulator, topic)]


def rotation(emulator, lead: timedelta = timedelta(minutes=10), period_hours: int = 1):
    return {
        "next_rotation_time": emulator.clock.now() + lead,
        "rotation_period": timedelta(hours=period_hours),
    }


# --- secrets ---------------------------------------------------------------------------------


def test_create_and_get_secret(emulator, sm):
    before = emulator.clock.now()

    created = create(sm, labels={"team": "infra"}, annotations={"rotator.state": "idle"})

    assert created.name == NAME
    assert ETAG.fullmatch(created.etag)
    assert before <= created.create_time <= emulator.clock.now()
    assert dict(created.labels) == {"team": "infra"}
    assert dict(created.annotations) == {"rotator.state": "idle"}
    assert sm.get_secret(name=BY_ID) == created
    assert sm.get_secret(name=NAME) == created


def test_create_errors(emulator, sm):
    create(sm)

    with pytest.raises(exceptions.AlreadyExists):
        create(sm, parent=NUMBER)
    with pytest.raises(exceptions.InvalidArgument, match="replication"):
        sm.create_secret(parent=PROJECT, secret_id="no-replication", secret={})
    with pytest.raises(exceptions.InvalidArgument):
        create(sm, secret_id="bad.id")
    with pytest.raises(exceptions.NotFound):
        create(sm, parent="projects/no-such-project")
    with pytest.raises(exceptions.NotFound):
        sm.get_secret(name=f"{PROJECT}/secrets/missing")


@pytest.mark.parametrize(
    "fields",
    [
        {"labels": {"Team": "infra"}},
        {"labels": {"team": "Infra"}},
        {"annotations": {"a/b": "x"}},
        {"annotations": {"-a": "x"}},
        {"annotations": {"a" * 64: "x"}},
        {"annotations": {"big": "v" * 16_384}},
        {"version_aliases": {"current": 1}},
        {"topics": [{"name": "secret-events"}]},
        {"topics": [{"name": f"{PROJECT}/topics/t{i}"} for i in range(11)]},
        {"version_destroy_ttl": timedelta(seconds=-1)},
    ],
)
def test_invalid_secret_fields(emulator, sm, fields):
    with pytest.raises(exceptions.InvalidArgument):
        create(sm, **fields)


def test_list_secrets_pages_and_filters(emulator, sm):
    create(sm, secret_id="a")
    create(sm, secret_id="b", labels={"env": "prod"})
    create(sm, secret_id="c", parent="projects/other-project")

    pager = sm.list_secrets(request={"parent": PROJECT, "page_size": 1})
    pages = list(pager.pages)

    assert [s.name for page in pages for s in page.secrets] == [
        f"{NUMBER}/secrets/a",
        f"{NUMBER}/secrets/b",
    ]
    assert len(pages) == 2
    assert pages[0].total_size == 2

    def names(expression: str, parent: str = PROJECT) -> list[str]:
        listed = sm.list_secrets(request={"parent": parent, "filter": expression})
        return [s.name.rsplit("/", 1)[1] for s in listed]

    assert names("labels.env=prod") == ["b"]
    assert names("NOT labels.env=prod") == ["a"]
    assert names("name:secrets/a") == ["a"]
    assert names("", parent="projects/210987654321") == ["c"]
    with pytest.raises(exceptions.InvalidArgument):
        names("colour:red")


def test_update_labels_and_annotations_changes_the_etag(emulator, sm):
    created = create(sm, labels={"team": "infra"})

    updated = sm.update_secret(
        secret={
            "name": BY_ID,
            "labels": {"team": "platform"},
            "annotations": {"rotator.state": "pending"},
            "etag": created.etag,
        },
        update_mask=field_mask_pb2.FieldMask(paths=["labels", "annotations"]),
    )

    assert updated.name == NAME
    assert dict(updated.labels) == {"team": "platform"}
    assert dict(updated.annotations) == {"rotator.state": "pending"}
    assert ETAG.fullmatch(updated.etag)
    assert updated.etag != created.etag
    assert sm.get_secret(name=NAME) == updated


def test_update_errors(emulator, sm):
    created = create(sm)
    update(sm, ["labels"], labels={"v": "2"})

    with pytest.raises(exceptions.FailedPrecondition):
        update(sm, ["labels"], labels={"v": "3"}, etag=created.etag)
    with pytest.raises(exceptions.InvalidArgument):
        update(sm, [], labels={"v": "3"})
    with pytest.raises(exceptions.InvalidArgument, match="replication"):
        update(sm, ["replication"], replication={"automatic": {}})
    with pytest.raises(exceptions.InvalidArgument):
        update(sm, ["annotations"], annotations={"a/b": "x"})
    with pytest.raises(exceptions.NotFound):
        sm.update_secret(
            secret={"name": f"{PROJECT}/secrets/missing"},
            update_mask=field_mask_pb2.FieldMask(paths=["labels"]),
        )
    assert dict(sm.get_secret(name=NAME).labels) == {"v": "2"}


def test_version_aliases(emulator, sm):
    create(sm)
    add(sm, b"one")
    add(sm, b"two")

    updated = update(sm, ["version_aliases"], version_aliases={"current": 2, "previous": 1})

    assert dict(updated.version_aliases) == {"current": 2, "previous": 1}
    assert sm.access_secret_version(name=f"{BY_ID}/versions/current").payload.data == b"two"
    assert sm.get_secret_version(name=f"{BY_ID}/versions/previous").name == f"{NAME}/versions/1"
    with pytest.raises(exceptions.InvalidArgument):
        update(sm, ["version_aliases"], version_aliases={"current": 5})
    with pytest.raises(exceptions.InvalidArgument):
        update(sm, ["version_aliases"], version_aliases={"latest": 1})
    with pytest.raises(exceptions.NotFound):
        sm.get_secret_version(name=f"{BY_ID}/versions/missing-alias")


def test_rotation_is_validated(emulator, sm):
    topics = [{"name": TOPIC}]

    with pytest.raises(exceptions.InvalidArgument, match="5 minutes"):
        create(sm, topics=topics, rotation=rotation(emulator, lead=timedelta(minutes=4)))
    with pytest.raises(exceptions.InvalidArgument, match="rotation_period"):
        create(sm, topics=topics, rotation={**rotation(emulator), "rotation_period": "1800s"})
    with pytest.raises(exceptions.InvalidArgument, match="rotation_period"):
        create(sm, topics=topics, rotation=rotation(emulator, period_hours=24 * 365 * 101))
    with pytest.raises(exceptions.InvalidArgument, match="next_rotation_time"):
        create(sm, topics=topics, rotation={"rotation_period": timedelta(hours=1)})
    with pytest.raises(exceptions.InvalidArgument, match="topic"):
        create(sm, rotation=rotation(emulator))

    created = create(sm, topics=topics, rotation=rotation(emulator))
    assert created.rotation.rotation_period == timedelta(hours=1)
    with pytest.raises(exceptions.InvalidArgument, match="topic"):
        update(sm, ["topics"], topics=[])
    with pytest.raises(exceptions.InvalidArgument, match="5 minutes"):
        update(sm, ["rotation"], rotation=rotation(emulator, lead=timedelta(minutes=1)))
    moved = update(sm, ["rotation.rotation_period"], rotation={"rotation_period": "7200s"})
    assert moved.rotation.rotation_period == timedelta(hours=2)
    assert moved.rotation.next_rotation_time == created.rotation.next_rotation_time
    cleared = update(sm, ["rotation", "topics"])
    assert "rotation" not in cleared
    assert list(cleared.topics) == []


def test_delete_secret(emulator, sm):
    created = create(sm)
    current = update(sm, ["labels"], labels={"v": "2"})

    with pytest.raises(exceptions.FailedPrecondition):
        sm.delete_secret(request={"name": BY_ID, "etag": created.etag})
    sm.delete_secret(request={"name": BY_ID, "etag": current.etag})

    with pytest.raises(exceptions.NotFound):
        sm.get_secret(name=BY_ID)
    with pytest.raises(exceptions.NotFound):
        sm.delete_secret(name=BY_ID)
    create(sm)  # the id is free again


def test_ttl_expires_the_secret(emulator, sm):
    created = create(sm, topics=[{"name": TOPIC}], ttl=timedelta(hours=1))
    assert created.expire_time - created.create_time == timedelta(hours=1)
    moved = update(sm, ["ttl"], ttl=timedelta(hours=2))
    assert moved.expire_time > created.expire_time

    emulator.clock.advance(2 * 3600 + 1)

    with pytest.raises(exceptions.NotFound):
        sm.get_secret(name=BY_ID)
    [deleted] = [e for e in events(emulator) if e.event_type == "SECRET_DELETE"]
    assert deleted.attributes["deleteType"] == "EXPIRATION"
    assert deleted.body is not None
    assert deleted.body["name"] == NAME


# --- versions --------------------------------------------------------------------------------


def test_add_version_checks_crc32c_and_size(emulator, sm):
    create(sm)
    data = b"pypi-AgEIcHlwaS5vcmc"
    checksum = google_crc32c.value(data)

    first = sm.add_secret_version(parent=BY_ID, payload={"data": data, "data_crc32c": checksum})
    second = add(sm, b"x" * 65_536)

    assert first.name == f"{NAME}/versions/1"
    assert first.client_specified_payload_checksum
    assert first.state == first.State.ENABLED
    assert ETAG.fullmatch(first.etag)
    assert second.name == f"{NAME}/versions/2"
    assert not second.client_specified_payload_checksum
    with pytest.raises(exceptions.InvalidArgument, match="checksum mismatch"):
        sm.add_secret_version(parent=BY_ID, payload={"data": data, "data_crc32c": checksum + 1})
    with pytest.raises(exceptions.InvalidArgument):
        add(sm, b"x" * 65_537)
    with pytest.raises(exceptions.NotFound):
        add(sm, b"x", parent=f"{PROJECT}/secrets/missing")
    assert add(sm, b"three").name == f"{NAME}/versions/3"


def test_access_by_number_latest_and_alias(emulator, sm):
    create(sm)
    add(sm, b"one")
    add(sm, b"two")
    update(sm, ["version_aliases"], version_aliases={"previous": 1})

    latest = sm.access_secret_version(name=f"{BY_ID}/versions/latest")
    first = sm.access_secret_version(name=f"{NAME}/versions/1")
    aliased = sm.access_secret_version(name=f"{BY_ID}/versions/previous")

    assert (latest.name, latest.payload.data) == (f"{NAME}/versions/2", b"two")
    assert latest.payload.data_crc32c == google_crc32c.value(b"two")
    assert (first.name, first.payload.data) == (f"{NAME}/versions/1", b"one")
    assert aliased == first
    assert sm.get_secret_version(name=f"{BY_ID}/versions/latest").name == f"{NAME}/versions/2"


def test_access_refuses_disabled_and_destroyed_versions(emulator, sm):
    create(sm)
    add(sm, b"one")
    add(sm, b"two")
    sm.disable_secret_version(name=f"{BY_ID}/versions/2")
    sm.destroy_secret_version(name=f"{BY_ID}/versions/1")

    with pytest.raises(exceptions.FailedPrecondition, match=r"versions/2\] is in DISABLED state"):
        sm.access_secret_version(name=f"{BY_ID}/versions/latest")
    with pytest.raises(exceptions.FailedPrecondition, match="is in DESTROYED state"):
        sm.access_secret_version(name=f"{BY_ID}/versions/1")
    with pytest.raises(exceptions.NotFound):
        sm.access_secret_version(name=f"{BY_ID}/versions/3")


def test_get_version_errors(emulator, sm):
    create(sm)

    with pytest.raises(exceptions.NotFound):
        sm.get_secret_version(name=f"{BY_ID}/versions/latest")
    with pytest.raises(exceptions.NotFound):
        sm.get_secret_version(name=f"{BY_ID}/versions/1")
    with pytest.raises(exceptions.NotFound):
        sm.get_secret_version(name=f"{PROJECT}/secrets/missing/versions/1")


def test_list_versions_newest_first_with_filter(emulator, sm):
    create(sm)
    for data in (b"one", b"two", b"three"):
        add(sm, data)
    sm.destroy_secret_version(name=f"{BY_ID}/versions/1")
    sm.disable_secret_version(name=f"{BY_ID}/versions/2")

    def numbers(**request: Any) -> list[str]:
        listed = sm.list_secret_versions(request={"parent": BY_ID, **request})
        return [v.name.rsplit("/", 1)[1] for v in listed]

    assert numbers() == ["3", "2", "1"]
    assert numbers(filter="state:ENABLED") == ["3"]
    assert numbers(filter="state:DISABLED") == ["2"]
    assert numbers(filter="NOT state:DESTROYED") == ["3", "2"]
    assert numbers(page_size=2) == ["3", "2", "1"]
    first_page = next(
        iter(sm.list_secret_versions(request={"parent": BY_ID, "page_size": 2}).pages)
    )
    assert (len(first_page.versions), first_page.total_size) == (2, 3)
    with pytest.raises(exceptions.InvalidArgument):
        numbers(filter="colour:red")
    with pytest.raises(exceptions.InvalidArgument):
        numbers(page_size=25_001)


def test_version_state_calls_check_etags(emulator, sm):
    create(sm)
    version = add(sm, b"one")
    name = f"{BY_ID}/versions/1"

    disabled = sm.disable_secret_version(request={"name": name, "etag": version.etag})
    with pytest.raises(exceptions.FailedPrecondition):
        sm.enable_secret_version(request={"name": name, "etag": version.etag})
    enabled = sm.enable_secret_version(request={"name": name, "etag": disabled.etag})
    destroyed = sm.destroy_secret_version(request={"name": name, "etag": enabled.etag})

    assert disabled.state == version.State.DISABLED
    assert enabled.state == version.State.ENABLED
    assert destroyed.state == version.State.DESTROYED
    assert destroyed.destroy_time is not None
    assert len({version.etag, disabled.etag, enabled.etag, destroyed.etag}) == 4
    for call in (sm.enable_secret_version, sm.disable_secret_version, sm.destroy_secret_version):
        with pytest.raises(exceptions.FailedPrecondition, match="DESTROYED"):
            call(name=name)


def test_destroy_with_ttl_schedules_the_destruction(emulator, sm):
    create(sm, topics=[{"name": TOPIC}], version_destroy_ttl=timedelta(days=1))
    add(sm, b"one")
    name = f"{BY_ID}/versions/1"

    scheduled = sm.destroy_secret_version(name=name)

    assert scheduled.state == scheduled.State.DISABLED
    expected = emulator.clock.now() + timedelta(days=1)
    assert abs(scheduled.scheduled_destroy_time - expected) < timedelta(seconds=5)
    with pytest.raises(exceptions.FailedPrecondition, match="DISABLED"):
        sm.access_secret_version(name=name)
    restored = sm.enable_secret_version(name=name)
    assert restored.scheduled_destroy_time is None
    assert sm.access_secret_version(name=name).payload.data == b"one"

    sm.destroy_secret_version(name=name)
    emulator.clock.advance(86_400 + 1)

    final = sm.get_secret_version(name=name)
    assert final.state == final.State.DESTROYED
    assert final.destroy_time is not None
    assert event_types(emulator)[-4:] == [
        "SECRET_VERSION_DESTROY_SCHEDULED",
        "SECRET_VERSION_ENABLE",
        "SECRET_VERSION_DESTROY_SCHEDULED",
        "SECRET_VERSION_DESTROY",
    ]


# --- IAM -------------------------------------------------------------------------------------


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


# --- notifications ---------------------------------------------------------------------------


def test_every_change_is_announced(emulator, sm):
    create(sm, topics=[{"name": TOPIC}])
    version = add(sm, b"one")
    update(sm, ["labels"], labels={"v": "2"})
    sm.disable_secret_version(name=version.name)
    sm.enable_secret_version(name=version.name)
    sm.destroy_secret_version(name=version.name)
    sm.delete_secret(name=BY_ID)

    seen = events(emulator)

    assert [e.event_type for e in seen] == [
        "TOPIC_CONFIGURED",
        "SECRET_CREATE",
        "SECRET_VERSION_ADD",
        "SECRET_UPDATE",
        "SECRET_VERSION_DISABLE",
        "SECRET_VERSION_ENABLE",
        "SECRET_VERSION_DESTROY",
        "SECRET_DELETE",
    ]
    assert seen[0].attributes == {"eventType": "TOPIC_CONFIGURED"}
    assert seen[0].body is None
    for event in seen[1:]:
        assert event.attributes["dataFormat"] == "JSON_API_V1"
        assert event.attributes["secretId"] == NAME
        assert TIMESTAMP.fullmatch(event.attributes["timestamp"])
        assert datetime.fromisoformat(event.attributes["timestamp"]).utcoffset() is not None
        assert event.body is not None
        if "VERSION" in event.event_type:
            assert event.attributes["versionId"] == f"{NAME}/versions/1"
            assert event.body["name"] == f"{NAME}/versions/1"
        else:
            assert "versionId" not in event.attributes
            assert event.body["name"] == NAME
    create_body, add_body, update_body = seen[1].body, seen[2].body, seen[3].body
    assert create_body is not None and add_body is not None and update_body is not None
    assert create_body == {
        "name": NAME,
        "replication": {"automatic": {}},
        "createTime": create_body["createTime"],
        "topics": [{"name": TOPIC}],
        "etag": create_body["etag"],
    }
    assert add_body["state"] == "ENABLED"
    assert update_body["labels"] == {"v": "2"}
    assert [(e.body or {}).get("state") for e in seen[4:7]] == ["DISABLED", "ENABLED", "DESTROYED"]
    assert seen[-1].attributes["deleteType"] == "REQUESTED"


def test_topic_configured_goes_to_new_topics_only(emulator, sm):
    second = f"{PROJECT}/topics/second"
    emulator.pubsub.create_topic(second)
    create(sm, topics=[{"name": TOPIC}])

    update(sm, ["topics"], topics=[{"name": TOPIC}, {"name": second}])

    assert event_types(emulator) == ["TOPIC_CONFIGURED", "SECRET_CREATE", "SECRET_UPDATE"]
    assert event_types(emulator, second) == ["TOPIC_CONFIGURED", "SECRET_UPDATE"]


def test_reads_announce_nothing(emulator, sm):
    create(sm, topics=[{"name": TOPIC}])
    add(sm, b"one")
    before = len(events(emulator))

    sm.get_secret(name=BY_ID)
    list(sm.list_secrets(parent=PROJECT))
    sm.get_secret_version(name=f"{BY_ID}/versions/1")
    sm.access_secret_version(name=f"{BY_ID}/versions/latest")
    list(sm.list_secret_versions(parent=BY_ID))
    sm.get_iam_policy(request={"resource": BY_ID})

    assert len(events(emulator)) == before


# --- rotation schedule -----------------------------------------------------------------------


def test_rotation_is_announced_when_the_clock_passes_it(emulator, sm):
    created = create(sm, topics=[{"name": TOPIC}], rotation=rotation(emulator))
    due = created.rotation.next_rotation_time

    emulator.clock.advance(9 * 60)
    assert "SECRET_ROTATE" not in event_types(emulator)
    emulator.clock.advance(2 * 60)

    [rotate] = [e for e in events(emulator) if e.event_type == "SECRET_ROTATE"]
    secret = sm.get_secret(name=BY_ID)
    assert secret.rotation.next_rotation_time == due + timedelta(hours=1)
    assert secret.etag != created.etag
    assert rotate.attributes["secretId"] == NAME
    assert rotate.body is not None
    assert rotate.body["rotation"]["rotationPeriod"] == "3600s"
    assert datetime.fromisoformat(rotate.body["rotation"]["nextRotationTime"]) == (
        due + timedelta(hours=1)
    )
    assert rotate.body["etag"] == secret.etag


def test_a_jump_over_several_periods_announces_once(emulator, sm):
    created = create(sm, topics=[{"name": TOPIC}], rotation=rotation(emulator))

    now = emulator.clock.advance(5 * 3600)

    assert event_types(emulator).count("SECRET_ROTATE") == 1
    following = sm.get_secret(name=BY_ID).rotation.next_rotation_time
    assert following == created.rotation.next_rotation_time + timedelta(hours=5)
    assert timedelta(0) < following - now <= timedelta(hours=1)


def test_run_scheduler_on_demand(emulator, sm):
    emulator.clock.advance(-3600)
    create(sm, topics=[{"name": TOPIC}], rotation=rotation(emulator))
    emulator.clock.reset()  # back to real time without telling the listeners
    assert "SECRET_ROTATE" not in event_types(emulator)

    emulator.secret_manager.run_scheduler()

    assert event_types(emulator).count("SECRET_ROTATE") == 1


# --- fault injection -------------------------------------------------------------------------


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


# --- point 6: leniencies the real service does not have ---------------------------------------


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
