"""Keep the garbage collector's pauses short in the long-running processes.

A full (generation 2) collection walks every tracked object. After start-up that is
~236,000 of them in an API process (modules, routes, pydantic schemas, SQLAlchemy mappers),
none of which will ever be garbage. Under load, requests waiting their turn live through a
few young collections, their objects get promoted, and that triggers a full collection about
every 0.75 s. Measured with bench/bench_api.py at 100 connections: 120-130 ms pauses, which
were the whole p99 of the Today view (190 ms, against a p50 of 37 ms).

- ``gc.freeze()`` moves what is alive at start-up to a permanent generation the collector
  no longer walks: the full passes then took 11-13 ms;
- a young-generation threshold of 10,000 allocations instead of 700 lets a request's
  objects die of reference counting before a collection sees them, so few are promoted:
  no full collection at all in a 20 s run at saturation; p99 56 ms.

Only the server processes call this (cli.py, the worker, the send processes), never an app
built inside a test process: objects frozen there that later form garbage cycles would
never be collected.
"""

from __future__ import annotations

import gc

YOUNG_GENERATION_THRESHOLD = 10_000


def tune_for_serving() -> None:
    """Call once start-up is done (everything imported and built), before serving."""
    gc.collect()
    gc.freeze()
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG_GENERATION_THRESHOLD, older, oldest)
