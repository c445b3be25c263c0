"""Google API calls per rotation, by method, next to the floor a rotation cannot go below, and
what needs each call above it. `python -m bench.calls` measures only these figures and merges
them into bench/results.json (`make bench` measures everything)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bench.stack import Stack, stack
from emulator import Call
from emulator.cloud_function import LocalFunction
from rotation.gcp.clients import USER_AGENT
from tests.support import OTHER_AR_AGENT, OTHER_PROJECT, World, repository_name

# The floor: state claim, add version, IAM read, state finish; for each repository, a read before
# anything is minted (whether it exists, is remote, is another secret's, and which upstream host
# it names: what the checks and the upstream-host rule need) and the update. `pending` is
# written with the finish (SecretRecord.defer).
FLOOR = {
    "SecretManagerService.UpdateSecret": 2,
    "SecretManagerService.AddSecretVersion": 1,
    "SecretManagerService.GetIamPolicy": 1,
}
FLOOR_PER_REPO = {"ArtifactRegistry.GetRepository": 1, "ArtifactRegistry.UpdateRepository": 1}
FLOOR_ONE_REPO = sum(FLOOR.values()) + sum(FLOOR_PER_REPO.values())
TARGET_ONE_REPO = 7
TARGET_PER_EXTRA_REPO = 2
RESULTS = Path(__file__).resolve().parent / "results.json"  # as bench/__main__.py writes it

# What needs a call above the floor: the invariant (rotation-lessons.md, tests/reliability) or
# the rule it keeps. A call above the floor that is not here is printed as one to remove.
NEEDED_BY = {
    "SecretManagerService.ListSecretVersions": (
        "the versions as the claim finds them: the baseline a redelivery after a crash between "
        "AddSecretVersion and the next write adopts its version by (invariant 4: one rotation "
        "request, at most one new version), and what the keep policy may retire (invariant 3: "
        "never a version a repository points at)"
    ),
    "SecretManagerService.GetSecret": (
        "a message is only a trigger (README: A forged Pub/Sub message): the claim writes the "
        "annotations map back whole, so taking the secret from the SECRET_ROTATE body instead "
        "would let anyone who may publish to the topic and read the secret's etag "
        "(secretmanager.viewer) write its settings, which take secretmanager.secrets.update"
    ),
    "Projects.GetProject": "a project number the instance has not looked up yet",
}


@dataclass(frozen=True)
class Count:
    by_method: Counter[str]
    source_reads: int  # the source's own reads of its root, staging or minting secret
    source_by_method: Counter[str] = field(default_factory=Counter)

    @property
    def total(self) -> int:
        return sum(self.by_method.values())

    @property
    def counted(self) -> int:
        """What the target counts: every call but the source's own reads."""
        return self.total - self.source_reads


SECRET_READS = {
    "SecretManagerService.GetSecret",
    "SecretManagerService.ListSecretVersions",
    "SecretManagerService.AccessSecretVersion",
}


def read_secret(call: Call) -> str | None:
    """The secret a Secret Manager read names; None for any other call."""
    if call.method not in SECRET_READS:
        return None
    name = getattr(call.request, "name", "") or getattr(call.request, "parent", "")
    return str(name).split("/versions/")[0]


Build = Callable[[World], str]  # makes a secret and its repositories; returns the secret


def count_rotation(world: World, function: LocalFunction, secret: str) -> Count:
    """Fire the schedule and count the function's calls until everything has settled."""
    seen: list[Call] = []
    world.emulator.control.observers.append(seen.append)
    world.fire_schedule()
    world.settle()
    world.emulator.control.observers.clear()
    ours = [c for c in seen if c.caller == USER_AGENT]
    sources = Counter(c.method for c in ours if read_secret(c) not in (None, secret))
    return Count(Counter(c.method for c in ours), sources.total(), sources)


def warm_up(world: World) -> None:
    """A first rotation, so the instance knows both projects' numbers, as every later one does."""
    other = repository_name("warm-up", OTHER_PROJECT)
    secret = world.rotated_secret("warm-up", repositories=f"{repository_name('warm-up')},{other}")
    world.grant(secret, OTHER_AR_AGENT)
    world.fire_schedule()
    world.settle()


def one_repository(world: World) -> str:
    return world.rotated_secret()


def three_repositories(world: World) -> str:
    repositories = [
        repository_name("pypi-a"),
        repository_name("pypi-b"),
        repository_name("pypi-c", OTHER_PROJECT),
    ]
    secret = world.rotated_secret(repositories=",".join(repositories))
    world.grant(secret, OTHER_AR_AGENT)
    return secret


def measure(stack: Stack) -> dict[str, object]:
    function = stack.function()
    counts: dict[str, Count] = {}
    for label, build in (("one", one_repository), ("three", three_repositories)):
        world = stack.world(function)
        warm_up(world)
        secret = build(world)
        world.settle()
        counts[label] = count_rotation(world, function, secret)
    function.crash()  # a fresh worker: empty caches, as a new instance
    world = stack.world(function)
    counts["cold instance"] = count_rotation(world, function, world.rotated_secret())

    one, three, cold = counts.values()
    per_extra = (three.counted - one.counted) / 2
    methods = sorted(set().union(*(c.by_method for c in counts.values())))
    print("Google API calls per rotation (pypi-derived; the function's own calls, by method)")
    rows = [("method", "1 repo", "floor", "3 repos", "floor", "1 repo, cold")]
    for method in methods:
        rows.append(
            (
                method,
                one.by_method[method],
                floor(method, 1),
                three.by_method[method],
                floor(method, 3),
                cold.by_method[method],
            )
        )
    rows.append(("total", one.total, FLOOR_ONE_REPO, three.total, FLOOR_ONE_REPO + 2, cold.total))
    rows.append(
        (
            "  the source's reads of its root secret",
            one.source_reads,
            "",
            three.source_reads,
            "",
            cold.source_reads,
        )
    )
    rows.append(
        ("counted: total less the source's reads", one.counted, "", three.counted, "", cold.counted)
    )
    for row in rows:
        print(f"  {row[0]:42}" + "".join(f"{cell!s:>8}" for cell in row[1:5]) + f"{row[5]!s:>14}")
    print(
        f"  one repository: {one.counted} calls, target at most {TARGET_ONE_REPO}: {verdict(one.counted <= TARGET_ONE_REPO)}"
    )
    print(
        f"  each further repository: {per_extra:g} more, target at most {TARGET_PER_EXTRA_REPO} more: {verdict(per_extra <= TARGET_PER_EXTRA_REPO)}"
    )
    print(
        f"  a cold instance adds {cold.counted - one.counted}: Projects.GetProject, once per project it has not looked up"
    )
    extra = above_floor(one, 1)
    print("  one repository, each call above the floor and what needs it:")
    for method, made in extra.items():
        print(f"    {made} x {method}: {NEEDED_BY.get(method, 'nothing recorded: remove it')}")
    if one.counted > TARGET_ONE_REPO:
        needed = [m for m in extra if m in NEEDED_BY]
        print(
            f"  over the target by {one.counted - TARGET_ONE_REPO}; every call above the floor is "
            f"needed by the invariant printed with it: {'yes' if needed == list(extra) else 'NO'}"
        )
    return {
        "google_calls_one_repo": one.counted,
        "google_calls_target_one_repo": TARGET_ONE_REPO,
        "google_calls_above_floor_one_repo": dict(extra),
        "google_calls_per_extra_repo": per_extra,
        "google_calls_three_repos": three.counted,
        "google_calls_one_repo_cold": cold.counted,
        "google_calls_source_reads": one.source_reads,
        "google_calls_floor_one_repo": FLOOR_ONE_REPO,
        "google_calls_by_method_one_repo": dict(one.by_method),
    }


def above_floor(count: Count, repositories: int) -> dict[str, int]:
    """Method -> how many of its calls (the source's own reads aside) are above the floor."""
    made = count.by_method - count.source_by_method
    extra = {
        m: n - (FLOOR.get(m, 0) + FLOOR_PER_REPO.get(m, 0) * repositories) for m, n in made.items()
    }
    return {m: n for m, n in sorted(extra.items()) if n > 0}


def floor(method: str, repositories: int) -> int | str:
    count = FLOOR.get(method, 0) + FLOOR_PER_REPO.get(method, 0) * repositories
    return count or ""


def verdict(met: bool) -> str:
    return "met" if met else "NOT MET"


def main() -> None:
    """Measure only these figures and merge them into bench/results.json."""
    with stack() as running:
        figures = measure(running)
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results.update(figures)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(f"merged into {RESULTS}")


if __name__ == "__main__":
    main()
