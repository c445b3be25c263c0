"""The emulator's subscription filter language: what matches, and what is refused."""

from __future__ import annotations

import grpc
import pytest

from emulator.core import ApiError
from emulator.pubsub.filters import parse_filter

ROTATE = {"eventType": "SECRET_ROTATE", "secretId": "projects/p/secrets/s"}
CONFIGURED = {"eventType": "TOPIC_CONFIGURED"}


@pytest.mark.parametrize(
    ("text", "matches"),
    [
        ('attributes.eventType = "SECRET_ROTATE"', [True, False, False]),
        ('attributes.eventType != "SECRET_ROTATE"', [False, True, True]),
        ("attributes:secretId", [True, False, False]),
        ('hasPrefix(attributes.eventType, "SECRET_")', [True, False, False]),
        ('NOT attributes.eventType = "SECRET_ROTATE"', [False, True, True]),
        ("NOT NOT attributes:secretId", [True, False, False]),
        (
            'attributes:eventType AND attributes.eventType = "TOPIC_CONFIGURED"',
            [False, True, False],
        ),
        (
            'attributes.eventType = "SECRET_ROTATE" OR attributes.eventType = "TOPIC_CONFIGURED"',
            [True, True, False],
        ),
        (
            'attributes:eventType AND (attributes:secretId OR NOT hasPrefix(attributes.eventType, "T"))',
            [True, False, False],
        ),
        ('attributes."eventType" = "SECRET_ROTATE"', [True, False, False]),
        ("", [True, True, True]),
    ],
)
def test_what_a_filter_lets_through(text, matches):
    predicate = parse_filter(text)

    assert [predicate(ROTATE), predicate(CONFIGURED), predicate({})] == matches


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ('attributes.a = "1" AND attributes.b = "2" OR attributes.c = "3"', "AND and OR mixed"),
        ("attributes.eventType = SECRET_ROTATE", "quoted string"),
        ('attributes.eventType == "x"', "offset"),
        ('data = "x"', "expected attributes"),
        ("(attributes:a", "ends too early"),
        ("attributes:a)", "unexpected ')'"),
        ('hasPrefix(attributes:a, "p")', "expected ."),
        ("attributes.a = 'x'", "unexpected character"),
        ('attributes.AND = "x"', "attribute key"),
        ("-attributes:a", "unexpected character"),
        ('attributes.a = "x" and attributes.b = "y"', "unexpected 'and'"),
    ],
)
def test_a_filter_outside_the_language_is_invalid_argument(text, says):
    with pytest.raises(ApiError) as refused:
        parse_filter(text)

    assert refused.value.code == grpc.StatusCode.INVALID_ARGUMENT
    assert says in refused.value.message
    assert "Supported:" in refused.value.message
