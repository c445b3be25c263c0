"""`status`: one secret, several, or every managed secret of a project, as text or JSON; exit 3
when every secret was read and one needs attention (see status_attention)."""

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
from rotation.cli.status import collect
from rotation.cli.status_attention import attention
from rotation.cli.status_text import as_json, render
from rotation.core.config import is_opted_in
from rotation.core.errors import ConfigError, PermanentError, RotationError, problems_of
from rotation.function import wiring


def status_command(args: argparse.Namespace) -> int:
    services, settings = wiring.services(), wiring.settings()
    if args.secrets:
        names = [secret_name(text, args.project) for text in args.secrets]
    else:
        project = project_of(args.project, "name a secret, or give --project to see all of one")
        names = [s.name for s in services.secrets.in_project(project) if is_opted_in(s.annotations)]
        if not names:
            note(f"no secret of project {project} has a token-rotator.source annotation")
    results: list[dict[str, Any]] = []
    code = EXIT_OK
    needs_attention = False
    now = wiring.clock()()
    for index, name in enumerate(names):
        try:
            status = collect(name, services, settings, wiring.clock())
        except RotationError as error:
            remedy = error.remedy if isinstance(error, PermanentError) else TRANSIENT_REMEDY
            code = max(code, EXIT_USAGE if isinstance(error, ConfigError) else EXIT_FAILED)
            report(error, remedy, code, secret=name)
            failed: dict[str, Any] = {"secret": name, "error": str(error), "remedy": remedy}
            if isinstance(error, ConfigError):
                failed["problems"] = [p.as_dict() for p in problems_of(error)]
            results.append(failed)
            continue
        found = attention(status)
        needs_attention |= bool(found)
        if args.json:
            results.append({**as_json(status), "attention": found})
        else:
            if index:
                print()
            print("\n".join(render(status, now)))
    if args.json:
        print(json.dumps(results, indent=2))
    if code == EXIT_OK and needs_attention:
        return EXIT_ATTENTION
    return code
