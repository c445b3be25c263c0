"""gcloud does not reach the emulator: against it (in `make playground`), a remedy that says
`gcloud ...` also says what to do there instead."""

from __future__ import annotations

from collections.abc import Mapping

from rotation.function.clock import EMULATOR_HTTP
from rotation.gcp.clients import EMULATOR_HOST_VARIABLES

# A gcloud command a remedy may name, and what does its job on the emulator.
EMULATOR_WAYS = (
    (
        "gcloud secrets add-iam-policy-binding",
        "add the grant as a [[grants]] entry in playground/playground.toml and restart "
        '`make playground`, or set "token-rotator.grant-access" = "true" in the secret\'s '
        "annotations there",
    ),
    (
        "gcloud secrets versions enable",
        "nothing enables a version there from the command line: take the remedy's other way",
    ),
    (
        "gcloud auth application-default login",
        "source .playground/env, which `make playground` writes while it runs",
    ),
)
_EMULATOR_VARIABLES = (EMULATOR_HTTP, *EMULATOR_HOST_VARIABLES)


def with_emulator_way(remedy: str, environment: Mapping[str, str]) -> str:
    """`remedy`, and on the emulator the way there of each gcloud command it names."""
    if not any(environment.get(name) for name in _EMULATOR_VARIABLES):
        return remedy
    ways = [way for command, way in EMULATOR_WAYS if command in remedy]
    if not ways:
        return remedy
    return f"{remedy}; on the emulator, where gcloud does not reach: {'; '.join(ways)}"
