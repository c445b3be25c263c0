"""Running the playground as a user does: its process group, its `ready`, and the README's
commands exactly as written."""

from __future__ import annotations

import os
import queue
import re
import subprocess
import threading
import time
from pathlib import Path

from emulator.processes import processes

ROOT = Path(__file__).resolve().parents[2]
MARK = "<!-- playground-commands -->"
CLOCK_MARK = "<!-- playground-clock -->"  # moving the clock makes the next rotation happen
ENV_FILE = ROOT / ".playground" / "env"
# What a shell of the test's own could carry that would point the commands elsewhere.
_INHERITED = re.compile(r".*_EMULATOR_HOST|EMULATOR_HTTP|GOOGLE_.*|AR_TOKEN_ROTATOR_.*|PIP_.*")


def clean_env(**extra: str) -> dict[str, str]:
    return {
        **{k: v for k, v in os.environ.items() if not _INHERITED.fullmatch(k)},
        "GRPC_VERBOSITY": "ERROR",
        **extra,
    }


def readme_commands(mark: str = MARK) -> list[str]:
    """The commands of the fenced block after `mark`, continuation lines joined."""
    after = (ROOT / "README.md").read_text(encoding="utf-8").split(mark, 1)[1]
    match = re.match(r"\s*```sh\n(.*?)\n```", after, re.DOTALL)
    assert match, f"no ```sh block right after {mark} in README.md"
    commands, pending = [], ""
    for line in match.group(1).splitlines():
        if line.endswith("\\"):
            pending += line[:-1]
            continue
        command, pending = (pending + line).strip(), ""
        if command and not command.startswith("#"):
            commands.append(command)
    return commands


def process_group(pgid: int) -> dict[int, str]:
    """pid -> the command line of every live (not zombie) process in the group."""
    members = {}
    for process in processes().values():
        if process.group != pgid or not process.running:
            continue
        try:
            cmdline = Path(f"/proc/{process.pid}/cmdline").read_bytes()
        except OSError:
            continue  # it ended while we looked
        members[process.pid] = cmdline.replace(b"\0", b" ").decode()
    return members


def read_until_ready(process: subprocess.Popen[str], timeout: float) -> list[str]:
    lines: queue.Queue[str | None] = queue.Queue()
    stdout = process.stdout
    assert stdout is not None

    def pump() -> None:
        for line in stdout:
            lines.put(line.rstrip("\n"))
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    while True:
        line = lines.get(timeout=max(deadline - time.monotonic(), 0.1))
        assert line is not None, "the playground exited before ready:\n" + "\n".join(seen)
        if line == "ready":
            return seen
        seen.append(line)


def run_commands(commands: list[str], codes: Path) -> tuple[list[int], str]:
    """Run each command as written with bash, in the repository; each one's exit code, and the
    output of all."""
    script = "".join(
        f'echo \'>>> {number}\' >&2\n{command}\necho "$?" >> "$PLAYGROUND_TEST_CODES"\n'
        for number, command in enumerate(commands)
    )
    ran = subprocess.run(
        ["bash", "--noprofile", "--norc", "-c", script],
        cwd=ROOT,
        env=clean_env(PLAYGROUND_TEST_CODES=str(codes)),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=240,
        check=False,
    )
    return [int(code) for code in codes.read_text().split()], ran.stdout
