"""Hypothesis strategies for Secret Manager notifications with exactly one thing wrong, each
carrying the word a log line about it must contain (the well-formed base: hostile.py)."""

from __future__ import annotations

import base64
import json
import string
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from hypothesis import strategies as st

from rotation.core.events import PUBSUB_EVENT_TYPE
from tests.reliability.hostile import (
    HUGE,
    OWN_PROJECTS,
    SECRET,
    Hostile,
    b64json,
    header_values,
    json_values,
    non_empty_non_objects,
    printable,
    rfc3339,
    valid,
)

SECRET_NAME_TRICKS = [
    f"{SECRET}/../other",
    f"{SECRET}/versions/1",
    f"{SECRET}/",
    "projects/123456789012/secrets/../../123456789012/secrets/pypi-token",
    "projects//secrets/pypi-token",
    "projects/123456789012/secrets/pypi%2Ftoken",
    "projects/123456789012/secrets/pypi token",
    "projects/123456789012/secrets/pypi-token\n",
    "projects/123456789012/secrets/pypi-tokén",
    "//secretmanager.googleapis.com/" + SECRET,
    "projects/123456789012/locations/us-central1/secrets/pypi-token",
    "projects/DEMO-PROJECT/secrets/pypi-token",
    "projects/123456789012/secrets/" + "a" * 256,
    "",
    " " + SECRET,
]


@st.composite
def hostile_events(draw: st.DrawFn, now: datetime) -> Hostile:
    """A notification with exactly one defect, or a well-formed one nobody may act on."""
    base = valid(f"hostile-{draw(st.integers(1, 10**9))}", now)
    kind = draw(st.sampled_from(sorted(DEFECTS)))
    return replace(draw(DEFECTS[kind](base)), defect=kind)


def _ce_type(base: Hostile) -> st.SearchStrategy[Hostile]:
    return header_values.filter(lambda t: t != PUBSUB_EVENT_TYPE).map(
        lambda t: replace(base, attributes={**base.attributes, "type": t}, expect="CloudEvent type")
    )


def _no_message(base: Hostile) -> st.SearchStrategy[Hostile]:
    return st.one_of(
        non_empty_non_objects.map(lambda m: replace(base, data={"message": m})),
        non_empty_non_objects.map(lambda d: replace(base, data=d)),
        st.just(replace(base, data={"subscription": "projects/p/subscriptions/s"})),
    ).map(lambda h: replace(h, expect="message"))


def _attributes(base: Hostile) -> st.SearchStrategy[Hostile]:
    not_a_string = st.one_of(
        st.integers(),
        st.booleans(),
        st.none(),
        st.lists(st.text(), min_size=1),
        st.dictionaries(st.text(), st.text(), min_size=1),
    )
    bad_map = st.one_of(
        non_empty_non_objects,
        st.dictionaries(printable, not_a_string, min_size=1, max_size=3).map(
            lambda extra: {**base.data["message"]["attributes"], **extra}
        ),
    )
    return bad_map.map(lambda a: replace(base.with_message(attributes=a), expect="attributes"))


def _event_type(base: Hostile) -> st.SearchStrategy[Hostile]:
    bad = st.one_of(
        st.text(max_size=70).filter(
            lambda t: not (t and len(t) <= 64 and set(t) <= set(string.ascii_uppercase + "_"))
        ),
        st.sampled_from(["A" * 65, "SECRET_ROTATE\n", " SECRET_ROTATE", "secret_rotate"]),
    )
    return bad.map(lambda t: replace(base.with_attributes(eventType=t), expect="eventType"))


def _secret_id(base: Hostile) -> st.SearchStrategy[Hostile]:
    """A bad secretId; half the time the body names the same, so only secretId's check is left."""
    bad = st.one_of(
        st.sampled_from(SECRET_NAME_TRICKS),
        st.text(max_size=60).filter(lambda t: "/secrets/" not in t),
    )

    def edit(secret: str, body_agrees: bool) -> Hostile:
        edited = base.with_attributes(secretId=secret)
        if body_agrees:
            edited = edited.with_message(data=b64json({"name": secret}))
        return replace(edited, expect="secretId")

    return st.builds(edit, bad, st.booleans())


def _body(base: Hostile) -> st.SearchStrategy[Hostile]:
    alphabet = set(string.ascii_letters + string.digits + "+/=")
    not_base64 = st.text(min_size=1, max_size=60).filter(lambda t: not set(t) <= alphabet)
    not_json = (
        st.binary(min_size=1, max_size=60)
        .filter(lambda b: not _is_json(b))
        .map(lambda b: base64.b64encode(b).decode())
    )
    not_object = non_empty_non_objects.map(b64json)
    other_name = (
        st.one_of(
            st.sampled_from([*SECRET_NAME_TRICKS, "projects/210987654321/secrets/pypi-token"]),
            json_values,
        )
        .filter(lambda n: n != SECRET)
        .map(lambda n: b64json({"name": n}))
    )
    huge = st.integers(HUGE, HUGE + 1000).map(lambda n: "A" * n)
    bodies = st.one_of(st.just(""), st.none(), not_base64, not_json, not_object, other_name, huge)
    return bodies.map(lambda d: replace(base.with_message(data=d), expect="body"))


def _time(base: Hostile) -> st.SearchStrategy[Hostile]:
    now = datetime.now(UTC)
    bad = st.one_of(
        st.sampled_from(
            [
                "yesterday",
                f"{now:%Y}-13-01T00:00:00Z",
                f"{now:%Y-%m-%dT%H:%M:%S}",  # no UTC offset
                "1700000000",
                "25:00",
            ]
        ),
        st.text(alphabet=string.ascii_letters, min_size=1, max_size=30),
    )

    def broken(text: str) -> Hostile:
        edited = base.with_message(publishTime=text)
        return replace(edited, attributes={**base.attributes, "time": text}, expect="event time")

    return bad.map(broken)


def _force(base: Hostile) -> st.SearchStrategy[Hostile]:
    bad = printable.filter(
        lambda t: t.strip().lower() not in {"true", "1", "yes", "false", "0", "no", ""}
    )
    return bad.map(lambda f: replace(base.with_attributes(force=f), expect="force"))


def _foreign_project(base: Hostile) -> st.SearchStrategy[Hostile]:
    project = st.one_of(
        st.from_regex(r"[a-z][a-z0-9-]{4,28}[a-z0-9]", fullmatch=True),
        st.from_regex(r"[1-9][0-9]{0,19}", fullmatch=True),
    ).filter(lambda p: p not in OWN_PROJECTS)

    def foreign(p: str) -> Hostile:
        secret = f"projects/{p}/secrets/pypi-token"
        edited = base.with_attributes(secretId=secret).with_message(data=b64json({"name": secret}))
        return replace(edited, expect="ALLOWED_PROJECTS")

    return project.map(foreign)


def _stale(base: Hostile) -> st.SearchStrategy[Hostile]:
    def aged(days: int) -> Hostile:
        stamp = rfc3339(datetime.now(UTC) - timedelta(days=days))
        edited = base.with_message(publishTime=stamp)
        return replace(
            edited, attributes={**base.attributes, "time": stamp}, expect="MAX_EVENT_AGE"
        )

    return st.integers(2, 3650).map(aged)


def _is_json(data: bytes) -> bool:
    try:
        json.loads(data)
    except ValueError:
        return False
    return True


DEFECTS = {
    "CloudEvent type": _ce_type,
    "no Pub/Sub message": _no_message,
    "attributes not strings": _attributes,
    "eventType": _event_type,
    "secretId (path tricks, regional, huge)": _secret_id,
    "body (missing, bad base64, bad JSON, other name, huge)": _body,
    "time": _time,
    "force flag": _force,
    "foreign project": _foreign_project,
    "stale (replayed)": _stale,
}
