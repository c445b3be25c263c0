"""The field rules of the real service for a secret's contents, and the etag precondition."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from datetime import datetime, timedelta

import grpc
from google.cloud import secretmanager_v1 as sm

from emulator.core import ApiError, invalid

MAX_TOPICS = 10
MAX_ALIASES = 50
MAX_LABELS = 64
MAX_ANNOTATIONS_BYTES = 16 * 1024
MIN_ROTATION_LEAD = timedelta(minutes=5)
MIN_ROTATION_PERIOD = timedelta(hours=1)
MAX_ROTATION_PERIOD = timedelta(seconds=3_153_600_000)  # 100 years

_LABEL_KEY = re.compile(r"[a-z][a-z0-9_-]{0,62}")
_LABEL_VALUE = re.compile(r"[a-z0-9_-]{0,63}")
_ANNOTATION_KEY = re.compile(r"[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?")
_ALIAS = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,62}")
_TOPIC = re.compile(r"projects/[^/]+/topics/[^/]+")


def failed_precondition(message: str) -> ApiError:
    return ApiError(grpc.StatusCode.FAILED_PRECONDITION, message)


def check_etag(given: str, current: str, name: str) -> None:
    """No etag means no check; a stale one is FAILED_PRECONDITION."""
    if given and given != current:
        raise failed_precondition(
            f"The etag {given} does not match the current etag {current} of [{name}]."
        )


def validate_secret(
    secret: sm.Secret, numbers: Collection[int], now: datetime, new_rotation: bool
) -> None:
    """Field rules of the real service; `new_rotation` checks next_rotation_time's 5-minute lead."""
    if len(secret.labels) > MAX_LABELS:
        raise invalid(f"A secret may have at most {MAX_LABELS} labels.")
    for key, value in secret.labels.items():
        if not _LABEL_KEY.fullmatch(key) or not _LABEL_VALUE.fullmatch(value):
            raise invalid(f"Invalid label {key}={value}.")
    for key in secret.annotations:
        if not _ANNOTATION_KEY.fullmatch(key):
            raise invalid(f"Invalid annotation key {key!r}.")
    size = sum(len(k.encode()) + len(v.encode()) for k, v in secret.annotations.items())
    if size >= MAX_ANNOTATIONS_BYTES:
        raise invalid("The total size of annotation keys and values must be less than 16 KiB.")
    _validate_aliases(secret.version_aliases, numbers)
    if len(secret.topics) > MAX_TOPICS:
        raise invalid(f"A secret may have at most {MAX_TOPICS} topics.")
    for topic in secret.topics:
        if not _TOPIC.fullmatch(topic.name):
            raise invalid(f"Invalid topic name {topic.name!r}: expected projects/*/topics/*.")
    _validate_rotation(secret, now, new_rotation)
    if "expire_time" in secret and secret.expire_time <= now:
        raise invalid("expire_time must be in the future.")
    if secret.version_destroy_ttl < timedelta(0):
        raise invalid("version_destroy_ttl must not be negative.")


def _validate_aliases(aliases: Mapping[str, int], numbers: Collection[int]) -> None:
    if len(aliases) > MAX_ALIASES:
        raise invalid(f"A secret may have at most {MAX_ALIASES} version aliases.")
    for alias, number in aliases.items():
        if not _ALIAS.fullmatch(alias) or alias in ("latest", "NEW"):
            raise invalid(f"Invalid version alias {alias!r}.")
        if number not in numbers:
            raise invalid(
                f"Version alias {alias!r} points to version {number}, which does not exist."
            )


def _validate_rotation(secret: sm.Secret, now: datetime, new_rotation: bool) -> None:
    rotation = secret.rotation
    if "rotation" not in secret or not (rotation.next_rotation_time or rotation.rotation_period):
        return
    if not secret.topics:
        raise invalid("A secret with a rotation policy must have at least one topic.")
    if rotation.rotation_period and not rotation.next_rotation_time:
        raise invalid("rotation.next_rotation_time must be set when rotation_period is set.")
    if rotation.rotation_period and not (
        MIN_ROTATION_PERIOD <= rotation.rotation_period <= MAX_ROTATION_PERIOD
    ):
        raise invalid("rotation.rotation_period must be between 3600s and 100 years.")
    if new_rotation and rotation.next_rotation_time < now + MIN_ROTATION_LEAD:
        raise invalid("rotation.next_rotation_time must be at least 5 minutes in the future.")
