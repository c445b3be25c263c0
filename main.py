"""Cloud Function entry point: every Secret Manager notification for the rotated secrets lands here."""

from typing import Any

import functions_framework

from rotation.handler import handle


@functions_framework.cloud_event
def on_secret_event(cloud_event: Any) -> None:
    handle(cloud_event)
