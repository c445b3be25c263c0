"""`plan`: what a rotation would do now, step by step. It walks the rotation's own decisions
(claim, adoption, access, retirement, aliases) on what it reads, and writes nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from rotation.cli.plan_checks import PlannedCheck, access_step, checks_step, preflight_checks
from rotation.cli.text import approximate
from rotation.core import decisions, secret_users
from rotation.core.claim import decide
from rotation.core.decisions import Outcome, Skip
from rotation.core.egress import UpstreamRefused
from rotation.core.errors import RotationBusy
from rotation.core.events import SecretEvent
from rotation.core.managed_secret import ManagedSecret, Services, Work, utc_now
from rotation.core.model import RemoteRepository, VersionInfo
from rotation.core.settings import Settings
from rotation.core.state import PENDING, Phase, RotationState


@dataclass(frozen=True)
class PlannedStep:
    step: str
    action: str


@dataclass(frozen=True)
class Plan:
    secret: str
    source: str
    # rotate (a new rotation), resume (an unfinished one), skip, wait (another delivery or
    # command holds the lease) or stop (a rotation now would stop at a step; see the last one)
    verdict: str
    steps: list[PlannedStep] = field(default_factory=list)
    checks: list[PlannedCheck] = field(default_factory=list)


def plan(
    event: SecretEvent,
    services: Services,
    settings: Settings,
    now: Callable[[], datetime] = utc_now,
) -> Plan:
    secret = ManagedSecret.require(event.secret or "", services, settings, Work.new("plan"), now)

    def done(verdict: str, steps: list[PlannedStep], checks: tuple[PlannedCheck, ...] = ()) -> Plan:
        return Plan(secret.snapshot.name, secret.config.source, verdict, steps, list(checks))

    try:
        decision = decide(secret, event, secret.now())
    except RotationBusy as busy:
        return done("wait", [PlannedStep("claim", f"wait: {busy}; the function retries later")])
    if isinstance(decision, Skip):
        hint = (
            f"; `plan {secret.name} --force` shows a forced rotation"
            if decision.outcome is Outcome.TOO_SOON
            else ""
        )
        return done("skip", [PlannedStep("claim", f"skip: {decision.reason}{hint}")])
    steps = [PlannedStep("claim", _claim(secret, event, decision))]
    versions = secret.services.secrets.versions(secret.name)
    checks: list[PlannedCheck] = []
    if decision.phase is Phase.CREATING:
        targets, checks = preflight_checks(secret, secret_users.targets(secret))
    else:
        targets = secret_users.targets_now(secret)
    secret.serve(targets)  # their format decides the username and the check
    steps.append(PlannedStep("targets", "; ".join(_where(secret, r) for r in targets)))
    try:
        secret_users.upstream_policy(secret, targets)
    except UpstreamRefused as refused:
        stop = f"stop before any request: {refused} (remedy: {refused.remedy})"
        return done("stop", [*steps, PlannedStep("upstreams", stop)])
    if checks:
        steps.append(PlannedStep("checks", checks_step(checks)))
        if not all(c.ok for c in checks):
            return done("stop", steps, tuple(checks))

    pending, create = _create(secret, versions, decision)
    steps.append(PlannedStep("create", create))
    if not checks:  # a rotation past `create` checks the access again, and only that
        access, can_read = access_step(secret, targets)
        steps.append(PlannedStep("access", access))
        if not can_read:
            return done("stop", steps)
    steps.append(PlannedStep("test", _test(secret)))

    version_name = secret.snapshot.version_name(pending)
    steps.append(PlannedStep("repoint", "; ".join(_repoint(secret, r, pending) for r in targets)))
    moved = [RemoteRepository(r.name, secret.username(), version_name) for r in targets]
    kept, expired = decisions.retirement(
        versions, pending, secret.snapshot.aliases, secret.config.keep_versions, moved
    )
    steps.append(PlannedStep("retire", _retire(secret, kept, expired)))
    aliases = decisions.final_aliases(secret.snapshot.aliases, pending, kept)
    finish = ", ".join(f"{alias} -> version {v}" for alias, v in sorted(aliases.items()))
    steps.append(PlannedStep("finish", f"{finish}; pending cleared; lease released"))
    return done("resume" if secret.state.unfinished else "rotate", steps, tuple(checks))


def _claim(secret: ManagedSecret, event: SecretEvent, state: RotationState) -> str:
    if secret.state.unfinished:
        return f"resume the unfinished rotation {state.rotation} at phase {state.phase}"
    last = secret.state.completed_at
    if last is None:
        why = "no rotation has completed yet"
    elif event.forced:
        why = "forced"
    else:
        why = (
            f"the last completed {approximate(secret.now() - last)} ago, more than "
            f"min-interval {approximate(secret.config.min_interval)}"
        )
    return (
        f"start a new rotation ({why}) and take the lease for {approximate(secret.settings.lease)}"
    )


def _where(secret: ManagedSecret, repository: RemoteRepository) -> str:
    version = secret_users.version_of(secret, repository)
    at = f"version {version}" if version is not None else repository.password_secret_version
    return f"{repository.name} (at {at})"


def _create(
    secret: ManagedSecret, versions: list[VersionInfo], state: RotationState
) -> tuple[int, str]:
    """The version that becomes `pending`, and how."""
    if state.phase is Phase.PENDING and PENDING in secret.snapshot.aliases:
        pending = secret.snapshot.aliases[PENDING]
        return pending, f"done already: version {pending} is pending"
    adopted = (
        decisions.adoptable(versions, secret.state.baseline) if secret.state.unfinished else None
    )
    if adopted is not None:
        return adopted, (
            f"adopt version {adopted}, added by an interrupted attempt of this rotation, as pending"
        )
    new = max((v.number for v in versions), default=0) + 1
    return new, (
        f"obtain a new token from source {secret.config.source} and add it as version {new} "
        "(alias pending)"
    )


def _test(secret: ManagedSecret) -> str:
    url = secret.config.check_url
    where = f" and against {url} ({secret.served.format})" if url else ""
    settings = secret.settings
    return (
        f"check the new token with source {secret.config.source}{where}, up to "
        f"{settings.check_attempts} times {approximate(settings.check_delay)} apart; a token "
        "still refused is disabled, pending cleared, and the rotation stops"
    )


def _repoint(secret: ManagedSecret, repository: RemoteRepository, pending: int) -> str:
    version = secret_users.version_of(secret, repository)
    if version == pending and repository.username == secret.username():
        return f"{repository.name}: already at version {pending}"
    at = f"version {version}" if version is not None else repository.password_secret_version
    return f"{repository.name}: {at} -> version {pending}"


def _retire(secret: ManagedSecret, kept: list[int], expired: list[int]) -> str:
    keep = f"keep-versions {secret.config.keep_versions} keeps {_numbers(kept)}"
    if not expired:
        return f"nothing: {keep}"
    verb = "destroy" if secret.snapshot.destroys_with_ttl else "disable"
    them, tokens = ("it", "the token") if len(expired) == 1 else ("them", "the tokens")
    return (
        f"retire {tokens} of {_numbers(expired)} (source {secret.config.source}), then "
        f"{verb} {them}; {keep}"
    )


def _numbers(versions: list[int]) -> str:
    label = "version" if len(versions) == 1 else "versions"
    return f"{label} {', '.join(str(v) for v in versions)}"
