"""Local stand-ins that speak the real Google APIs: Secret Manager, Artifact Registry,
Resource Manager and Pub/Sub, with notifications, a rotation scheduler and push delivery."""

from emulator.app import DEFAULT_PROJECTS, Emulator
from emulator.core import ApiError, Call, Clock, Control, Projects
from emulator.pubsub import RedeliveryPolicy

__all__ = [
    "DEFAULT_PROJECTS",
    "ApiError",
    "Call",
    "Clock",
    "Control",
    "Emulator",
    "Projects",
    "RedeliveryPolicy",
]
