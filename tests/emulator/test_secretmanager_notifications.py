"""The Secret Manager emulator through the real client over gRPC: the notifications it publishes."""

from __future__ import annotations

from datetime import datetime

from tests.emulator.secretmanager_support import (
    BY_ID,
    NAME,
    PROJECT,
    TIMESTAMP,
    TOPIC,
    add,
    create,
    event_types,
    events,
    update,
)


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
