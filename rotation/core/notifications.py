"""The SECRET_ROTATE message exactly as Secret Manager publishes it, for an operator to republish.

Attributes `eventType`, `dataFormat`, `secretId` (the full name, with the project number) and
`timestamp` (RFC 3339 with an offset); the body is the secret's proto3 JSON. The one addition is
this tool's own attribute `force=true`, which rotates even within the minimum interval.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from rotation.core.events import SECRET_ROTATE

DATA_FORMAT = "JSON_API_V1"
FORCE_ATTRIBUTE = "force"


@dataclass(frozen=True)
class Notification:
    data: bytes
    attributes: dict[str, str]


def secret_rotate(secret: Mapping[str, Any], when: datetime, force: bool = False) -> Notification:
    """SECRET_ROTATE for `secret`, given as its proto3 JSON (at least its `name`)."""
    attributes = {
        "eventType": SECRET_ROTATE,
        "dataFormat": DATA_FORMAT,
        "secretId": str(secret["name"]),
        "timestamp": when.isoformat(timespec="microseconds"),
    }
    if force:
        attributes[FORCE_ATTRIBUTE] = "true"
    return Notification(json.dumps(dict(secret), separators=(",", ":")).encode(), attributes)


def gcloud_command(topic: str, notification: Notification) -> str:
    """The `gcloud pubsub topics publish` command that sends the same message."""
    attributes = ",".join(f"{key}={value}" for key, value in notification.attributes.items())
    return shlex.join(
        [
            "gcloud",
            "pubsub",
            "topics",
            "publish",
            topic,
            f"--attribute={attributes}",
            f"--message={notification.data.decode()}",
        ]
    )
