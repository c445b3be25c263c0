"""What the command line tells its user on stderr: notes, and errors with their remedies."""

from __future__ import annotations

import os
import sys

from rotation.cli.emulator_remedies import with_emulator_way
from rotation.core.errors import InvalidAnnotations

# Documented in the parser's epilog and the README's Operating section.
EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_ATTENTION = 3  # `status` and `audit`: every secret was read and one has a finding

TRANSIENT_REMEDY = (
    "try again; if it persists, check the network and the credentials "
    "(gcloud auth application-default login), or the *_EMULATOR_HOST variables"
)


def note(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def report(error: object, remedy: str, code: int, secret: str | None = None) -> int:
    """The error and its remedy on stderr; an InvalidAnnotations as one line per problem, each
    with its key, value and remedy. `secret` names what the error is about, for a listing of
    several; it leads the line unless the error names it already."""
    if isinstance(error, InvalidAnnotations) and len(error.problems) > 1:
        note(f"error: {error.secret}: {len(error.problems)} invalid token-rotator.* annotations:")
        for problem in error.problems:
            value = "(missing)" if problem.value is None else repr(problem.value)
            note(f"  {problem.key}={value}: {problem.problem}")
            note(f"    remedy: {with_emulator_way(problem.remedy, os.environ)}")
        return code
    about = f"{secret}: " if secret and secret not in str(error) else ""
    note(f"error: {about}{error}")
    if remedy:
        note(f"remedy: {with_emulator_way(remedy, os.environ)}")
    return code
