"""`history SECRET`: the secret's last rotations as its state keeps them, read without changing
anything: who asked (scheduled, forced, command), when, the new version, the repositories moved,
the outcome and, of a failure, why."""

from __future__ import annotations

import argparse
import json

from rotation.cli.history_text import history_lines
from rotation.cli.report import EXIT_OK
from rotation.cli.secret_names import secret_name
from rotation.core.config import is_opted_in
from rotation.core.history import MAX_ENTRIES
from rotation.core.managed_secret import not_managed
from rotation.core.state import RotationState
from rotation.function import wiring


def history_command(args: argparse.Namespace) -> int:
    name = secret_name(args.secret, args.project)
    snapshot = wiring.services().secrets.get(name)
    if not is_opted_in(snapshot.annotations):
        raise not_managed(snapshot.name)
    entries = RotationState.load(snapshot.annotations).history
    if args.json:
        print(json.dumps([entry.as_json() for entry in entries], indent=2))
        return EXIT_OK
    print(f"history of {snapshot.name} (newest last; the last {MAX_ENTRIES} are kept)")
    print("\n".join(history_lines(entries, wiring.clock()())))
    return EXIT_OK
