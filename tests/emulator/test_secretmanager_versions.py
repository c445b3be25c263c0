"""The Secret Manager emulator through the real client over gRPC: versions, their checksums,
access, listing and state changes."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import google_crc32c
import pytest
from google.api_core import exceptions

from tests.emulator.secretmanager_support import (
    BY_ID,
    ETAG,
    NAME,
    PROJECT,
    TOPIC,
    add,
    create,
    event_types,
    update,
)


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
