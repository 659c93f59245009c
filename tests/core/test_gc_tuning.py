"""The server processes freeze their start-up objects and collect the young less often
(core/gc_tuning.py). Checked in a child process: freezing this test process would keep its
garbage cycles forever."""

from __future__ import annotations

import json
import subprocess
import sys

from interlude.core.gc_tuning import YOUNG_GENERATION_THRESHOLD

PROBE = """
import gc, json
from interlude.core.gc_tuning import tune_for_serving
import interlude.app  # what a server process has loaded before it serves
before = gc.get_freeze_count()
tune_for_serving()
print(json.dumps({"before": before, "frozen": gc.get_freeze_count(),
                  "threshold": gc.get_threshold(), "young": gc.get_count()[0]}))
"""


def test_tuning_freezes_what_start_up_built_and_raises_the_young_threshold() -> None:
    out = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    seen = json.loads(out)
    assert seen["before"] == 0
    assert seen["frozen"] > 50_000  # the app's modules, schemas and mappers
    assert seen["threshold"][0] == YOUNG_GENERATION_THRESHOLD
    assert seen["young"] < 100  # the collection before freezing left the young generation empty
