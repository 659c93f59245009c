"""Rows created on first read must survive two first reads at once (a real race, two
transactions, the database's own locking)."""

from __future__ import annotations

import threading


def test_concurrent_first_api_reads_of_lazily_created_rows(client, auth):
    results: list[int] = []

    def read(path: str) -> None:
        results.append(client.get(path, headers=auth).status_code)

    paths = ["/api/v1/wellbeing/settings", "/api/v1/wellbeing/summary?period=week"] * 2 + [
        "/api/v1/autoresponder/profile"
    ] * 2
    threads = [threading.Thread(target=read, args=(p,)) for p in paths]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert results == [200] * len(paths)
