"""`plan`: what a rotation would do now, step by step. It walks the rotation's own decisions
(claim, adoption, access, retirement, aliases) on what it reads, and writes nothing."""

from __future__ import annotations

from dataclasses import dataclass, field

from rotation.cli.text import approximate
from rotation.core.agents import ACCESSOR_ROLE, grant_command
from rotation.core.conflicts import conflict_error
from rotation.core.decisions import Skip
from rotation.core.egress import UpstreamRefused
from rotation.core.errors import PermanentError, RotationBusy
from rotation.core.model import RemoteRepository
from rotation.core.rotator import Rotation
from rotation.core.state import PENDING, Phase, RotationState


@dataclass(frozen=True)
class PlannedStep:
    step: str
    action: str


@dataclass(frozen=True)
class PlannedCheck:
    """One check the rotation makes before the source is asked for a token (Rotation.preflight)."""

    check: str  # repository, conflict, access or source
    subject: str  # what was checked: a repository, the secret, the source's input secrets
    ok: bool
    detail: str
    remedy: str = ""


@dataclass(frozen=True)
class Plan:
    secret: str
    source: str
    # rotate (a new rotation), resume (an unfinished one), skip, wait (another delivery or
    # command holds the lease) or stop (a rotation now would stop at a step; see the last one)
    verdict: str
    steps: list[PlannedStep] = field(default_factory=list)
    checks: list[PlannedCheck] = field(default_factory=list)


def plan(rotation: Rotation) -> Plan:
    rotation.load_managed()
    now = rotation.now()

    def done(verdict: str, steps: list[PlannedStep], checks: tuple[PlannedCheck, ...] = ()) -> Plan:
        return Plan(rotation.snapshot.name, rotation.config.source, verdict, steps, list(checks))

    try:
        decision = rotation.decide(now)
    except RotationBusy as busy:
        return done("wait", [PlannedStep("claim", f"wait: {busy}; the function retries later")])
    if isinstance(decision, Skip):
        return done("skip", [PlannedStep("claim", f"skip: {decision.reason}")])
    steps = [PlannedStep("claim", _claim(rotation, decision))]
    rotation.versions = rotation.services.secrets.versions(rotation.secret_name)
    checks: list[PlannedCheck] = []
    if decision.phase is Phase.CREATING:
        targets, checks = preflight_checks(rotation, rotation.targets())
    else:
        targets = rotation.read_targets(rotation.targets())
    steps.append(PlannedStep("targets", "; ".join(_where(rotation, r) for r in targets)))
    try:
        rotation.upstream_policy(targets)
    except UpstreamRefused as refused:
        stop = f"stop before any request: {refused} (remedy: {refused.remedy})"
        return done("stop", [*steps, PlannedStep("upstreams", stop)])
    if checks:
        steps.append(PlannedStep("checks", _checks(checks)))
        if not all(c.ok for c in checks):
            return done("stop", steps, tuple(checks))

    pending, create = _create(rotation, decision)
    steps.append(PlannedStep("create", create))
    if not checks:  # a rotation past `create` checks the access again, and only that
        access, can_read = _access(rotation, targets)
        steps.append(PlannedStep("access", access))
        if not can_read:
            return done("stop", steps)
    steps.append(PlannedStep("test", _test(rotation)))

    version_name = rotation.snapshot.version_name(pending)
    steps.append(PlannedStep("repoint", "; ".join(_repoint(rotation, r, pending) for r in targets)))
    moved = [RemoteRepository(r.name, rotation.config.username, version_name) for r in targets]
    kept, expired = rotation.retirement(pending, moved)
    steps.append(PlannedStep("retire", _retire(rotation, kept, expired)))
    aliases = rotation.final_aliases(pending, kept)
    finish = ", ".join(f"{alias} -> version {v}" for alias, v in sorted(aliases.items()))
    steps.append(PlannedStep("finish", f"{finish}; pending cleared; lease released"))
    return done("resume" if rotation.state.unfinished else "rotate", steps, tuple(checks))


def _access(rotation: Rotation, targets: list[RemoteRepository]) -> tuple[str, bool]:
    check = _access_check(rotation, targets)
    if not check.ok:
        return f"stop: {check.detail}, so no repository would change; {check.remedy}", False
    return check.detail, True


def preflight_checks(
    rotation: Rotation, listed: list[RemoteRepository]
) -> tuple[list[RemoteRepository], list[PlannedCheck]]:
    """Rotation.preflight's checks, each reported rather than the first failure raised: the
    targets as read, and every check with its outcome."""
    checks: list[PlannedCheck] = []
    targets: list[RemoteRepository] = []
    for target in listed:
        if target.password_secret_version:
            targets.append(target)
            checks.append(PlannedCheck("repository", target.name, True, "discovered, remote"))
            continue
        try:
            targets.append(rotation.services.repositories.get(target.name))
        except PermanentError as error:
            checks.append(
                PlannedCheck("repository", target.name, False, str(error), _remedy(error))
            )
            continue
        checks.append(PlannedCheck("repository", target.name, True, "exists, remote"))
    contested = rotation.conflicts(targets)
    if contested:
        conflict = conflict_error(rotation.snapshot.name, contested)
        checks.append(
            PlannedCheck("conflict", rotation.snapshot.name, False, str(conflict), conflict.remedy)
        )
    else:
        checks.append(
            PlannedCheck(
                "conflict", rotation.snapshot.name, True, "no repository uses another secret"
            )
        )
    checks.append(_access_check(rotation, targets))
    checks.append(_source_check(rotation))
    return targets, checks


def _access_check(rotation: Rotation, targets: list[RemoteRepository]) -> PlannedCheck:
    agents = rotation.agents(targets)
    missing = rotation.services.access.missing(rotation.snapshot, agents)
    subject = rotation.snapshot.name
    if missing and not rotation.config.grant_access:
        commands = "; ".join(grant_command(subject, m) for m in sorted(missing))
        return PlannedCheck(
            "access",
            subject,
            False,
            f"{', '.join(sorted(missing))} cannot read the secret",
            f"run {commands} (or set token-rotator.grant-access=true)",
        )
    if missing:
        detail = f"grant {ACCESSOR_ROLE} on the secret to {', '.join(sorted(missing))}"
    else:
        detail = f"{', '.join(sorted(agents))} can read the secret"
    return PlannedCheck("access", subject, True, detail)


def _source_check(rotation: Rotation) -> PlannedCheck:
    inputs = [rotation.source_context().secret_setting(k) for k in rotation.source.input_secrets]
    subject = ", ".join(inputs) or f"source {rotation.config.source}"
    try:
        rotation.source.preflight(rotation.source_context())
    except PermanentError as error:
        return PlannedCheck("source", subject, False, str(error), _remedy(error))
    detail = "latest version enabled" if inputs else "nothing to read before minting"
    return PlannedCheck("source", subject, True, detail)


def _checks(checks: list[PlannedCheck]) -> str:
    failed = [c for c in checks if not c.ok]
    if not failed:
        return f"all {len(checks)} checks pass before the source is asked for a token"
    said = "; ".join(
        f"{c.check} {c.subject}: {c.detail}" + (f" (remedy: {c.remedy})" if c.remedy else "")
        for c in failed
    )
    return (
        f"stop: {len(failed)} of {len(checks)} checks fail, so no token would be minted and "
        f"nothing would change: {said}"
    )


def _remedy(error: PermanentError) -> str:
    return error.remedy or "see the error"


def _claim(rotation: Rotation, state: RotationState) -> str:
    if rotation.state.unfinished:
        return f"resume the unfinished rotation {state.rotation} at phase {state.phase}"
    last = rotation.state.completed_at
    if last is None:
        why = "no rotation has completed yet"
    elif rotation.event.forced:
        why = "forced"
    else:
        why = (
            f"the last completed {approximate(rotation.now() - last)} ago, more than "
            f"min-interval {approximate(rotation.config.min_interval)}"
        )
    return f"start a new rotation ({why}) and take the lease for {approximate(rotation.settings.lease)}"


def _where(rotation: Rotation, repository: RemoteRepository) -> str:
    version = rotation.version_of(repository)
    at = f"version {version}" if version is not None else repository.password_secret_version
    return f"{repository.name} (at {at})"


def _create(rotation: Rotation, state: RotationState) -> tuple[int, str]:
    """The version that becomes `pending`, and how."""
    if state.phase is Phase.PENDING and PENDING in rotation.snapshot.aliases:
        pending = rotation.snapshot.aliases[PENDING]
        return pending, f"done already: version {pending} is pending"
    adopted = rotation.adoptable() if rotation.state.unfinished else None
    if adopted is not None:
        return adopted, (
            f"adopt version {adopted}, added by an interrupted attempt of this rotation, as pending"
        )
    new = max((v.number for v in rotation.versions), default=0) + 1
    return new, (
        f"obtain a new token from source {rotation.config.source} and add it as version {new} "
        "(alias pending)"
    )


def _test(rotation: Rotation) -> str:
    where = f" and against {rotation.config.index_url}" if rotation.config.index_url else ""
    settings = rotation.settings
    return (
        f"check the new token with source {rotation.config.source}{where}, up to "
        f"{settings.check_attempts} times {approximate(settings.check_delay)} apart; a token "
        "still refused is disabled, pending cleared, and the rotation stops"
    )


def _repoint(rotation: Rotation, repository: RemoteRepository, pending: int) -> str:
    version = rotation.version_of(repository)
    if version == pending and repository.username == rotation.config.username:
        return f"{repository.name}: already at version {pending}"
    at = f"version {version}" if version is not None else repository.password_secret_version
    return f"{repository.name}: {at} -> version {pending}"


def _retire(rotation: Rotation, kept: list[int], expired: list[int]) -> str:
    keep = f"keep-versions {rotation.config.keep_versions} keeps {_numbers(kept)}"
    if not expired:
        return f"nothing: {keep}"
    verb = "destroy" if rotation.snapshot.destroys_with_ttl else "disable"
    them, tokens = ("it", "the token") if len(expired) == 1 else ("them", "the tokens")
    return (
        f"retire {tokens} of {_numbers(expired)} (source {rotation.config.source}), then "
        f"{verb} {them}; {keep}"
    )


def _numbers(versions: list[int]) -> str:
    label = "version" if len(versions) == 1 else "versions"
    return f"{label} {', '.join(str(v) for v in versions)}"
