"""Cold start: a fresh process that imports `main` and handles one ignored event, against a fresh
process that imports only the Functions Framework and the Google clients the function uses.
The two alternate, several times; the ratio of the medians is the figure."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REPETITIONS = 9
TARGET = 1.25

FUNCTION = """
from datetime import UTC, datetime
from cloudevents.http import CloudEvent
import main
main.on_secret_event(CloudEvent(
    {"type": "google.cloud.pubsub.topic.v1.messagePublished", "source": "//bench", "id": "1",
     "time": datetime.now(UTC).isoformat()},
    {"message": {"attributes": {"eventType": "TOPIC_CONFIGURED"}, "messageId": "1"}},
))
"""
BASELINE = """
import functions_framework
from google.cloud import artifactregistry_v1, resourcemanager_v3, secretmanager_v1
"""


def seconds(code: str) -> float:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
    )
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"cold start script failed: {done.stderr[-2000:]}")
    return elapsed


def measure() -> dict[str, object]:
    seconds(FUNCTION)  # once unmeasured, so neither side pays for a cold file cache
    function, baseline = [], []
    for _ in range(REPETITIONS):
        function.append(seconds(FUNCTION))
        baseline.append(seconds(BASELINE))
    function_ms = statistics.median(function) * 1000
    baseline_ms = statistics.median(baseline) * 1000
    ratio = function_ms / baseline_ms
    print(f"Cold start (median of {REPETITIONS} fresh processes each, alternating)")
    print(f"  import main and handle one ignored event: {function_ms:.0f} ms")
    print(f"  import functions_framework and the Google clients only: {baseline_ms:.0f} ms")
    print(
        f"  ratio {ratio:.2f}, target at most {TARGET}: {'met' if ratio <= TARGET else 'NOT MET'}"
    )
    return {
        "cold_start_ratio": round(ratio, 3),
        "cold_start_function_ms": round(function_ms),
        "cold_start_baseline_ms": round(baseline_ms),
    }
