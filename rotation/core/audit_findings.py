"""What in a secret's status needs an operator, as findings: the audit logs one event each (its
`event` is the finding's name) and `audit`/`status` exit 3 when there is any. Pure: the status
(secret_status.collect), the settings and the time in, the findings out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from rotation.core.agents import grant_command
from rotation.core.durations import days_until
from rotation.core.settings import Settings
from rotation.core.state import CURRENT, Phase
from rotation.core.status_model import SecretStatus

ROTATION_OVERDUE = "rotation_overdue"
TOKEN_EXPIRING = "token_expiring"
DRIFT_DETECTED = "drift_detected"
ROTATION_UNFINISHED = "rotation_unfinished"
ROTATION_FAILED_LAST = "rotation_failed_last"
SCHEDULE_MISSING = "schedule_missing"
TOPIC_MISSING = "topic_missing"
FINDINGS = (
    ROTATION_UNFINISHED,
    ROTATION_FAILED_LAST,
    DRIFT_DETECTED,
    ROTATION_OVERDUE,
    TOKEN_EXPIRING,
    SCHEDULE_MISSING,
    TOPIC_MISSING,
)
# ERROR: a token about to stop working, or a rotation that gave up; the rest WARNING.
ERRORS = frozenset({TOKEN_EXPIRING, ROTATION_FAILED_LAST})
MIN_GRACE = timedelta(days=1)

_REPUBLISH = "ar-token-rotator republish {secret} --wait"


@dataclass(frozen=True)
class Finding:
    finding: str  # one of FINDINGS
    secret: str
    detail: str  # what is wrong, in words
    remedy: str

    @property
    def severity(self) -> str:
        return "ERROR" if self.finding in ERRORS else "WARNING"

    def as_dict(self) -> dict[str, str]:
        return {
            "finding": self.finding,
            "severity": self.severity,
            "secret": self.secret,
            "detail": self.detail,
            "remedy": self.remedy,
        }


def grace(period: timedelta) -> timedelta:
    """How late a rotation may be before it is overdue: 10% of the period, at least a day."""
    return max(MIN_GRACE, period / 10)


def findings(status: SecretStatus, settings: Settings, now: datetime) -> list[Finding]:
    """Every finding about the secret, in the order of FINDINGS; empty when all is well (a
    secret never rotated yet, whose repositories use the token stored first, is well)."""
    found = _rotation(status) + _drift(status) + _age(status, settings, now)
    return found + _delivery(status)


def token_expires_in_days(status: SecretStatus, now: datetime) -> float | None:
    """Days until the token of `current` expires, from the state's record; None when unknown."""
    expires = next((v.token_expires_at for v in status.versions if v.alias == CURRENT), None)
    if expires is None:
        return None
    return days_until(expires, now)


def _rotation(status: SecretStatus) -> list[Finding]:
    rotation, secret = status.rotation, status.secret
    republish = _REPUBLISH.format(secret=secret)
    if rotation.unfinished:
        stopped = f", stopped at step {rotation.failed_step}" if rotation.failed_step else ""
        return [
            Finding(
                ROTATION_UNFINISHED,
                secret,
                f"rotation {rotation.rotation} is unfinished (phase {rotation.phase}{stopped})",
                f"see `ar-token-rotator status {secret}`; fix the cause it names, then run "
                f"{republish} to resume it",
            )
        ]
    if rotation.phase == Phase.FAILED.value:
        return [
            Finding(
                ROTATION_FAILED_LAST,
                secret,
                f"the last rotation, {rotation.rotation}, failed: {rotation.error}",
                f"fix the cause in the error (the function's log has its remedy), then run "
                f"{republish}",
            )
        ]
    return []


def _drift(status: SecretStatus) -> list[Finding]:
    """Repositories or agents that no longer match what the last rotation left."""
    secret = status.secret
    found = [
        Finding(
            DRIFT_DETECTED,
            secret,
            f"service agent {a.member} cannot read the secret",
            f"run: {grant_command(secret, a.member)} (or set token-rotator.grant-access=true)",
        )
        for a in status.agents
        if not a.can_read
    ]
    has_current = any(v.alias == CURRENT for v in status.versions)
    for repository in status.repositories:
        if repository.version is None:
            continue  # another secret's version: a conflict, among the problems
        if repository.version not in status.enabled_versions:
            found.append(
                Finding(
                    DRIFT_DETECTED,
                    secret,
                    f"repository {repository.name} points at version {repository.version}, "
                    "which is not ENABLED",
                    f"run `ar-token-rotator rollback {secret}` or {_REPUBLISH.format(secret=secret)} "
                    "to point it at an enabled version",
                )
            )
        elif has_current and not status.rotation.unfinished and repository.alias != CURRENT:
            found.append(
                Finding(
                    DRIFT_DETECTED,
                    secret,
                    f"repository {repository.name} is not on the current version",
                    f"point it at {secret}/versions/current's number, or run "
                    f"{_REPUBLISH.format(secret=secret)}",
                )
            )
    found += [
        Finding(
            DRIFT_DETECTED,
            secret,
            problem,
            "fix what the text names (token-rotator.repositories, token-rotator.discover, "
            "access), then audit again",
        )
        for problem in status.problems
    ]
    return found


def _age(status: SecretStatus, settings: Settings, now: datetime) -> list[Finding]:
    secret = status.secret
    found = []
    last = status.rotation.completed_at or status.newest_version_at
    period = status.rotation_period
    if period is not None and last is not None and now - last > period + grace(period):
        found.append(
            Finding(
                ROTATION_OVERDUE,
                secret,
                f"the last completed rotation was at {last.isoformat()}, more than its period "
                f"({period}) plus a grace of {grace(period)} ago",
                f"check the secret's schedule and topic and the function's log, then run "
                f"{_REPUBLISH.format(secret=secret)}",
            )
        )
    days = token_expires_in_days(status, now)
    if days is not None and days * timedelta(days=1) <= settings.token_expiry_warning:
        when = f"expired {-days:g} days ago" if days <= 0 else f"expires in {days:g} days"
        found.append(
            Finding(
                TOKEN_EXPIRING,
                secret,
                f"the token in use (current) {when}",
                f"rotate now: {_REPUBLISH.format(secret=secret)} --force",
            )
        )
    return found


def _delivery(status: SecretStatus) -> list[Finding]:
    """What makes Secret Manager send SECRET_ROTATE: a schedule, and topics that exist."""
    secret = status.secret
    found = []
    if status.rotation_period is None or status.next_rotation_time is None:
        found.append(
            Finding(
                SCHEDULE_MISSING,
                secret,
                "the secret has no rotation schedule (rotation period and next rotation time), "
                "so Secret Manager never asks for a rotation",
                "set the secret's rotation (the rotated-secret module's rotation_period), then "
                "terraform apply",
            )
        )
    if not status.topics:
        found.append(
            Finding(
                TOPIC_MISSING,
                secret,
                "the secret notifies no Pub/Sub topic, so no rotation reaches the function",
                "add the rotator's events topic to the secret's topics (the rotated-secret "
                "module does), then terraform apply",
            )
        )
    found += [
        Finding(
            TOPIC_MISSING,
            secret,
            f"topic {topic}, which the secret notifies, does not exist",
            "create it again (terraform apply of the rotator module), or remove it from the "
            "secret's topics",
        )
        for topic in status.missing_topics
    ]
    return found
