"""libfaketime for a child process, without leaving shared memory behind.

libfaketime (0.9.10) creates /dev/shm/sem.faketime_sem_<pid> and faketime_shm_<pid> for every
faked process and removes them only when that process exits normally — sieve-test re-executes
itself, so they leak. A later process given the same pid then fails with "sem_open: File
exists". So every faked run here removes its own pair afterwards, and first sweeps pairs left
by processes that no longer exist (from a crash, or from before this helper).
"""

from __future__ import annotations

import glob
import os
import re
import subprocess
from pathlib import Path

INSTALL_HINT = "libfaketime is not installed: apt-get install -y faketime (make test does this)"
SHM = Path("/dev/shm")
_FAKETIME_FILE = re.compile(r"^(?:sem\.)?faketime_(?:sem|shm)_(\d+)$")


def libfaketime() -> str:
    """The path of libfaketime.so.1; a missing library fails the test (never a skip)."""
    found = sorted(glob.glob("/usr/lib/*/faketime/libfaketime.so.1"))
    found += sorted(glob.glob("/usr/lib/faketime/libfaketime.so.1"))
    assert found, INSTALL_HINT
    return found[0]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _remove_shared_memory(only_pid: int | None = None) -> None:
    for path in SHM.glob("*faketime_*"):
        match = _FAKETIME_FILE.match(path.name)
        if not match:
            continue
        pid = int(match.group(1))
        if pid == only_pid or (only_pid is None and not _alive(pid)):
            path.unlink(missing_ok=True)


def run_faked(
    command: list[str], spec: str, *, env: dict[str, str], timeout: float
) -> subprocess.CompletedProcess[str]:
    """Run ``command`` with its clock faked by libfaketime: "@2026-11-23 14:00:00" or "+30s"."""
    _remove_shared_memory()
    faked = {**env, "LD_PRELOAD": libfaketime(), "FAKETIME": spec, "FAKETIME_NO_CACHE": "1"}
    with subprocess.Popen(
        command, env=faked, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as process:
        try:
            stdout, stderr = process.communicate(timeout=timeout)
        finally:
            process.kill()
            process.wait()
            _remove_shared_memory(only_pid=process.pid)
    return subprocess.CompletedProcess(command, process.returncode, stdout, stderr)
