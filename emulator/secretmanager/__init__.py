"""Secret Manager v1: secrets, versions, aliases, etags, IAM, notifications and rotation schedule.

Every mutating call publishes the notification the real service sends to each of the secret's
topics (see shared/reference/google-cloud.md). Names are answered with the project NUMBER.

Time-driven work (rotation announcements, expiry, delayed version destruction) runs whenever
the emulator clock moves, at the start of every call, and on `run_scheduler()`.
"""

from emulator.secretmanager.listing import DEFAULT_PAGE_SIZE
from emulator.secretmanager.model import ALIASES_ANY_STATE, ALIASES_ENABLED_ONLY
from emulator.secretmanager.service import SecretManager

__all__ = ["ALIASES_ANY_STATE", "ALIASES_ENABLED_ONLY", "DEFAULT_PAGE_SIZE", "SecretManager"]
