"""`status`: one secret, several, or every managed secret of a project (read in parallel), as text
or JSON; exit 3 when every secret was read and one needs attention (see status_attention)."""

from __future__ import annotations

import argparse
import json
from typing import Any

from rotation.cli.report import (
    EXIT_ATTENTION,
    EXIT_FAILED,
    EXIT_OK,
    EXIT_USAGE,
    TRANSIENT_REMEDY,
    note,
    report,
)
from rotation.cli.secret_names import project_of, secret_name
from rotation.cli.status_attention import attention
from rotation.cli.status_text import as_json, render
from rotation.core.errors import ConfigError, PermanentError, RotationError, problems_of
from rotation.core.model import SecretSnapshot
from rotation.core.status_reads import managed_in, read_all
from rotation.function import wiring
from rotation.gcp.deadlines import call_policies
from rotation.gcp.pubsub import TopicDirectory


def status_command(args: argparse.Namespace) -> int:
    services, settings = wiring.services(), wiring.settings()
    secrets: list[str | SecretSnapshot]
    if args.secrets:
        secrets = [secret_name(text, args.project) for text in args.secrets]
    else:
        project = project_of(args.project, "name a secret, or give --project to see all of one")
        secrets = list(managed_in(project, services))
        if not secrets:
            note(f"no secret of project {project} has a token-rotator.source annotation")
    results: list[dict[str, Any]] = []
    code = EXIT_OK
    needs_attention = False
    now = wiring.clock()()
    topics = TopicDirectory(calls=call_policies(settings))
    reads = read_all(secrets, services, settings, wiring.clock(), topics=topics)
    for index, read in enumerate(reads):
        if read.status is None:
            assert read.error is not None
            code = max(code, failed_code(read.error))
            results.append(unreadable(read.secret, read.error, code))
            continue
        found = attention(read.status, settings, now)
        needs_attention |= bool(found)
        if args.json:
            results.append({**as_json(read.status), "attention": found})
        else:
            if index:
                print()
            shown = [f"attention      {a}" for a in found if a not in read.status.problems]
            print("\n".join(render(read.status, now) + shown))
    if args.json:
        print(json.dumps(results, indent=2))
    if code == EXIT_OK and needs_attention:
        return EXIT_ATTENTION
    return code


def failed_code(error: RotationError) -> int:
    """A secret that could not be read: bad configuration is usage (2), the rest failure (1)."""
    return EXIT_USAGE if isinstance(error, ConfigError) else EXIT_FAILED


def unreadable(name: str, error: RotationError, code: int) -> dict[str, Any]:
    """Report a secret that could not be read on stderr; its JSON entry."""
    remedy = error.remedy if isinstance(error, PermanentError) else TRANSIENT_REMEDY
    report(error, remedy, code, secret=name)
    failed: dict[str, Any] = {"secret": name, "error": str(error), "remedy": remedy}
    if isinstance(error, ConfigError):
        failed["problems"] = [p.as_dict() for p in problems_of(error)]
    return failed
