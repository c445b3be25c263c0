"""The Secret Manager emulator through the real client over gRPC: secrets, their fields, etags,
aliases, deletion and expiry."""

from __future__ import annotations

from datetime import timedelta

import pytest
from google.api_core import exceptions
from google.protobuf import field_mask_pb2

from tests.emulator.secretmanager_support import (
    BY_ID,
    ETAG,
    NAME,
    NUMBER,
    PROJECT,
    TOPIC,
    add,
    create,
    events,
    update,
)


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
