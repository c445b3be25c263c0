"""`republish`: publish SECRET_ROTATE in Secret Manager's format to the secret's topic, so the
deployed function rotates (or resumes the unfinished rotation), and follow its progress in the
secret's state until the function is done."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from rotation.cli.text import approximate
from rotation.core.claim import decide
from rotation.core.decisions import Skip, rotate_anyway
from rotation.core.errors import ConfigError, PermanentError, RotationBusy
from rotation.core.events import SECRET_ROTATE, SecretEvent
from rotation.core.managed_secret import ManagedSecret, Services, Work, utc_now
from rotation.core.model import SecretSnapshot
from rotation.core.notifications import gcloud_command, secret_rotate
from rotation.core.settings import Settings
from rotation.core.state import Phase, RotationState
from rotation.gcp.pubsub import Publisher

_NOTE_EVERY_SECONDS = 30.0
# With the lease free, a listening function claims a rotation within seconds of the push.
NO_DELIVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class Republished:
    secret: str
    message_id: str
    topic: str
    forced: bool
    rotation: str  # the rotation the function will complete: this message's, or the one it resumes
    expectation: str  # what the function will do with it, as the rotation's decisions foresee
    skipped: bool  # the function will acknowledge it without rotating
    etag: str  # the secret's etag before publishing: any later write by the function changes it
    published_at: datetime  # the message's timestamp, by which the function judges it


def republish(
    secret: str,
    services: Services,
    settings: Settings,
    publisher: Publisher | None,
    *,
    force: bool = False,
    topic: str | None = None,
    now: Callable[[], datetime] = utc_now,
) -> Republished:
    """Publish; `publisher` None means google-cloud-pubsub is not installed (a usage error that
    names the gcloud command that publishes the same message)."""
    event = SecretEvent(SECRET_ROTATE, "republish", now(), secret, force)
    preview = ManagedSecret.require(secret, services, settings, Work.new("republish"), now)
    snapshot = preview.snapshot
    topic = _topic(snapshot, topic)
    skipped = False
    follows = preview.state.rotation if preview.state.unfinished else None
    try:
        decision = decide(preview, event, now())
    except RotationBusy as busy:
        expectation = f"it will be redelivered until the lease is free: {busy}"
    else:
        if isinstance(decision, Skip):
            skipped = True
            expectation = f"the function will skip it: {decision.reason}"
            remedy = rotate_anyway(decision, "republish", secret)
            if remedy:
                expectation += f"; {remedy}"
        else:
            expectation = (
                f"the function will resume rotation {follows} at phase {decision.phase}"
                if follows
                else "the function will start a new rotation"
            )
    published_at = now()
    notification = secret_rotate(
        services.secrets.notification_body(snapshot.name), published_at, force
    )
    if publisher is None:
        minimal = secret_rotate({"name": snapshot.name}, now(), force)
        raise ConfigError(
            "google-cloud-pubsub is not installed, so this command cannot publish",
            remedy="pip install 'ar-token-rotator[cli]' (or requirements-cli.txt), or publish "
            f"the message with: {gcloud_command(topic, minimal)}",
        )
    message_id = publisher.publish(topic, notification)
    return Republished(
        snapshot.name,
        message_id,
        topic,
        force,
        follows or message_id,
        expectation,
        skipped,
        snapshot.etag,
        published_at,
    )


def _topic(snapshot: SecretSnapshot, chosen: str | None) -> str:
    if chosen is not None:
        if chosen not in snapshot.topics:
            raise ConfigError(
                f"secret {snapshot.name} does not notify topic {chosen}",
                remedy=f"use one of its topics: {', '.join(snapshot.topics) or 'none'}",
            )
        return chosen
    if len(snapshot.topics) == 1:
        return snapshot.topics[0]
    if not snapshot.topics:
        raise ConfigError(
            f"secret {snapshot.name} has no Pub/Sub topic, so no function hears its rotations",
            remedy="add the topic the function is triggered by to the secret (the terraform "
            "module does), or run the rotation here: ar-token-rotator rotate",
        )
    raise ConfigError(
        f"secret {snapshot.name} notifies several topics: {', '.join(snapshot.topics)}",
        remedy="name the one the function is triggered by with --topic",
    )


def wait(
    services: Services,
    published: Republished,
    timeout: timedelta,
    interval: float,
    progress: Callable[[str], None],
    *,
    unanswered: Callable[[str], list[str]] = lambda message_id: [],
) -> RotationState:
    """Poll the secret's state until the function completes the rotation; PermanentError when it
    stops at a step that needs an operator, when no function takes the message (`unanswered`
    names pushes that found nobody; otherwise NO_DELIVERY passes with the lease free and the
    state untouched), or when `timeout` passes."""
    started = time.monotonic()
    next_note = started + _NOTE_EVERY_SECONDS
    last: tuple[object, ...] | None = None
    while True:
        snapshot = services.secrets.get(published.secret)
        state = RotationState.load(snapshot.annotations)
        if state.completed_rotation == published.rotation or overtaken(published, state):
            return state
        ours = state.rotation == published.rotation and snapshot.etag != published.etag
        abandoned = state.phase is Phase.FAILED
        if ours and (abandoned or (state.error and not state.holder and not state.retryable)):
            raise PermanentError(
                f"the function {'abandoned' if abandoned else 'stopped'} rotation "
                f"{published.rotation} at step {state.failed_step}: {state.error}",
                remedy="fix the cause, then republish "
                + ("to start a new rotation" if abandoned else "to resume it")
                + "; `status` shows the state",
            )
        seen = (ours, state.phase, state.holder, state.error)
        elapsed = time.monotonic() - started
        if not ours:
            _check_delivered(published, unanswered, elapsed, busy=state.holder is not None)
        if seen != last or time.monotonic() >= next_note:
            note = _describe(published, state, ours) if seen != last else "still waiting"
            progress(f"{note} ({approximate(timedelta(seconds=elapsed))})")
            last, next_note = seen, time.monotonic() + _NOTE_EVERY_SECONDS
        if elapsed >= timeout.total_seconds():
            raise PermanentError(
                f"the function did not complete rotation {published.rotation} within "
                f"{approximate(timeout)}",
                remedy="it may still be working, or never got the message: check `status` and "
                "the function's logs (rotation_failed, rotation_retry, malformed_event, "
                "stale_event, ALLOWED_PROJECTS)",
            )
        time.sleep(interval)


def overtaken(published: Republished, state: RotationState) -> bool:
    """Another rotation (a scheduled one, say) completed after this message was published, so the
    function skips the message: the secret was rotated meanwhile, which is what it asked for."""
    return (
        state.completed_rotation not in (None, published.rotation)
        and state.completed_at is not None
        and state.completed_at >= published.published_at
    )


def _check_delivered(
    published: Republished,
    unanswered: Callable[[str], list[str]],
    elapsed: float,
    busy: bool,
) -> None:
    """Raise when nothing listens: a push found no function, or (with the lease free, so the
    function had no reason to wait) none took the message within NO_DELIVERY."""
    pushes = unanswered(published.message_id)
    if pushes:
        raise PermanentError(
            f"the emulator could not push message {published.message_id} to the function: "
            f"{pushes[-1]}",
            remedy="start the function where the emulator pushes (`make playground` runs one), "
            "or start the emulator with --push-endpoint naming the function's URL; then "
            f"republish {published.secret} again",
        )
    if not busy and elapsed >= NO_DELIVERY.total_seconds():
        raise PermanentError(
            f"no function took message {published.message_id} within "
            f"{approximate(NO_DELIVERY)}: the secret's state is unchanged",
            remedy=f"check that the function is deployed and a push subscription on "
            f"{published.topic} pushes SECRET_ROTATE to it (gcloud pubsub topics "
            f"list-subscriptions {published.topic}; a message it could not deliver is on the "
            "subscription's dead-letter topic), and its logs for stale_event, "
            "project_not_allowed and malformed_event; on the emulator, start the function "
            "(`make playground`); or rotate from here: ar-token-rotator rotate "
            f"{published.secret}",
        )


def _describe(published: Republished, state: RotationState, ours: bool) -> str:
    if not ours:
        return f"waiting for the function to take message {published.message_id}"
    if state.holder:
        return f"the function is working on rotation {published.rotation}: phase {state.phase}"
    if state.error:
        return f"an attempt stopped at step {state.failed_step}; it is retried: {state.error}"
    return f"rotation {published.rotation} is at phase {state.phase}"
