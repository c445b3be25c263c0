"""Decoding Cloud Scheduler's audit message: the projects it names, or MalformedEvent."""

from __future__ import annotations

import base64
import json
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rotation.core.audit_message import audit_projects, is_audit
from rotation.core.events import AUDIT, MalformedEvent


def event(data: object, event_type: str = AUDIT) -> SimpleNamespace:
    message = {"attributes": {"eventType": event_type}, "data": data, "messageId": "1"}
    return SimpleNamespace(data={"message": message})


def encoded(body: object) -> str:
    return base64.b64encode(json.dumps(body).encode()).decode()


def test_the_audit_is_told_by_its_event_type_alone():
    assert is_audit(event(encoded({"projects": []})))
    assert not is_audit(event(encoded({}), "SECRET_ROTATE"))
    assert not is_audit(SimpleNamespace(data=None))
    assert not is_audit(object())


def test_the_projects_named_empty_or_absent():
    assert audit_projects(
        event(encoded({"projects": ["demo-project", "123", "demo-project"]}))
    ) == [
        "demo-project",
        "123",
    ]
    assert audit_projects(event(encoded({"projects": []}))) == []
    assert audit_projects(event(encoded({}))) == []
    assert audit_projects(event(None)) == []


@pytest.mark.parametrize(
    ("data", "says"),
    [
        ("%%%", "not base64-encoded JSON"),
        (encoded([1]), 'is not {"projects": [...]}'),
        (encoded({"projects": "demo-project"}), 'is not {"projects": [...]}'),
        (encoded({"projects": ["UPPER_case"]}), "'UPPER_case', which is not a project id"),
        (encoded({"projects": [7]}), "7, which is not a project id"),
        (encoded({"projects": ["p" * 6] * 101}), "at most 100 projects"),
        (12, "not a base64 string"),
    ],
)
def test_a_malformed_audit_message_says_what_is_wrong(data, says):
    with pytest.raises(MalformedEvent, match=None) as raised:
        audit_projects(event(data))
    assert says in str(raised.value)


@given(st.one_of(st.text(max_size=200), st.binary(max_size=200).map(base64.b64encode)))
def test_any_data_gives_projects_or_malformed_event(data):
    text = data.decode() if isinstance(data, bytes) else data
    try:
        projects = audit_projects(event(text))
    except MalformedEvent:
        return
    assert all(isinstance(p, str) for p in projects)
