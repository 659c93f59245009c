"""The wheel as an operator gets it: built from the sdist, installed alone into a fresh venv.

The layout is the Docker image's (Dockerfile) without Docker: only the wheel and its
dependencies in a venv nobody may write to, run by a user that owns nothing but the data
directory (``nobody`` when the tests run as root, since root ignores file modes), from a working
directory that is not the checkout, with no ``PYTHONPATH``.

Dependencies come from a wheelhouse kept beside the test venv (``<venv>/interlude-wheelhouse``,
keyed by the wheel's requirements): filled once with ``pip wheel`` (the index, or pip's cache),
then installed with ``--no-index``, so later runs need no network.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
import stat
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.parser import Parser
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
DIST = ROOT / "frontend" / "dist"
NOBODY = 65534


@dataclass(frozen=True)
class Installed:
    wheel: Path  # built from the sdist
    sdist: Path
    checkout_wheel: Path  # built straight from the checkout (`pip install .`, `make wheel`)
    venv: Path
    workdir: Path  # an empty directory the server runs in, writable by the server's user
    uid: int | None  # the user the server runs as (None: this process's user)

    @property
    def interlude(self) -> Path:
        return self.venv / "bin" / "interlude"

    def env(self, **extra: str) -> dict[str, str]:
        """A clean environment: nothing from this test process (no PYTHONPATH, no INTERLUDE_*)."""
        return {
            "PATH": f"{self.venv / 'bin'}:/usr/local/bin:/usr/bin:/bin",
            "HOME": str(self.workdir),
            "LANG": "C.UTF-8",
            "PYTHONDONTWRITEBYTECODE": "1",
            **extra,
        }

    def run(
        self, *args: str, env: dict[str, str], timeout: float = 60
    ) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(self.interlude), *args],
            cwd=self.workdir,
            env=env,
            user=self.uid,
            group=self.uid,
            capture_output=True,
            text=True,
            timeout=timeout,
        )


def _check(command: list[str], **options: object) -> str:
    """Run a set-up step; on failure, fail with what it printed."""
    done = subprocess.run(command, capture_output=True, text=True, **options)  # type: ignore[call-overload]
    if done.returncode != 0:
        pytest.fail(
            f"{' '.join(command[:4])} ... failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
        )
    return str(done.stdout)


def _sources(into: Path) -> Path:
    """The checkout's files (tracked, or new and not ignored) plus the built PWA: what a clean
    clone holds after ``make frontend``, without build/, egg-info or stray files."""
    if not (DIST / "index.html").is_file():
        raise pytest.UsageError("frontend/dist is not built: run `make frontend`")
    listed = _check(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT
    )
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file() and not name.startswith("frontend/"):
            (into / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, into / name)
    shutil.copytree(DIST, into / "frontend" / "dist")
    return into


def _build(sources: Path, out: Path) -> tuple[Path, Path]:
    """``python -m build``: the sdist, then the wheel built from that sdist."""
    _check(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(sources)],
        cwd=sources,
    )
    (wheel,) = out.glob("interlude-*.whl")
    (sdist,) = out.glob("interlude-*.tar.gz")
    return wheel, sdist


def _requirements(wheel: Path) -> list[str]:
    with zipfile.ZipFile(wheel) as archive:
        (name,) = (n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        metadata = Parser().parsestr(archive.read(name).decode())
    return sorted(metadata.get_all("Requires-Dist") or [])


def _wheelhouse(wheel: Path) -> Path:
    key = hashlib.sha256(
        "\n".join([sys.implementation.cache_tag, *_requirements(wheel)]).encode()
    ).hexdigest()[:16]
    house = Path(sys.prefix) / "interlude-wheelhouse" / key
    if house.is_dir():
        return house
    house.parent.mkdir(parents=True, exist_ok=True)
    filling = Path(tempfile.mkdtemp(dir=house.parent))
    _check([sys.executable, "-m", "pip", "wheel", "-q", "--wheel-dir", str(filling), str(wheel)])
    for ours in filling.glob("interlude-*.whl"):
        ours.unlink()
    try:
        filling.rename(house)
    except OSError:  # another run filled it first
        shutil.rmtree(filling)
    return house


def _world_can_run(path: Path) -> bool:
    return all(p.stat().st_mode & stat.S_IXOTH for p in (path, *path.parents))


def _base_python(uid: int | None) -> str:
    """This interpreter, or the system's of the same version when another user cannot reach it
    (e.g. one under /root)."""
    ours = Path(getattr(sys, "_base_executable", sys.executable)).resolve()
    if uid is None or _world_can_run(ours):
        return str(ours)
    name = f"python{sys.version_info.major}.{sys.version_info.minor}"
    system = shutil.which(name, path="/usr/local/bin:/usr/bin:/bin")
    if system is None or not _world_can_run(Path(system).resolve()):
        raise pytest.UsageError(f"no {name} that user {uid} can run: install python3")
    return system


def _read_only(tree: Path) -> None:
    for path in (tree, *tree.rglob("*")):
        if not path.is_symlink():
            path.chmod(path.stat().st_mode & ~0o222)


def _removable(tree: Path) -> None:
    """Removing files needs write access to their directories only."""
    for path in (tree, *tree.rglob("*")):
        if path.is_dir() and not path.is_symlink():
            path.chmod(path.stat().st_mode | stat.S_IWUSR)


@pytest.fixture(scope="session")
def installed() -> Iterator[Installed]:
    uid = NOBODY if os.geteuid() == 0 else None
    top = Path(tempfile.mkdtemp(prefix="interlude-wheel-"))
    top.chmod(0o755)  # the server's user must reach the venv inside
    try:
        sources = _sources(top / "src")
        wheel, sdist = _build(sources, top / "dist")
        _check(
            [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
             "--wheel-dir", str(top / "direct"), str(sources)]
        )  # fmt: skip
        (checkout_wheel,) = (top / "direct").glob("interlude-*.whl")
        house = _wheelhouse(wheel)
        venv = top / "venv"
        _check([_base_python(uid), "-m", "venv", "--without-pip", str(venv)])
        _check(
            [sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install",
             "-q", "--no-compile", "--no-index", "--find-links", str(house), str(wheel)]
        )  # fmt: skip
        # Byte-code once, in parallel (pip compiles one file at a time: twice as slow here);
        # the server's user cannot write it at run time.
        _check([str(venv / "bin" / "python"), "-m", "compileall", "-q", "-j0", str(venv / "lib")])
        _read_only(venv)  # as in the image: the install is read-only at run time
        workdir = top / "elsewhere"
        workdir.mkdir()
        if uid is not None:
            os.chown(workdir, uid, uid)
        yield Installed(
            wheel=wheel,
            sdist=sdist,
            checkout_wheel=checkout_wheel,
            venv=venv,
            workdir=workdir,
            uid=uid,
        )
    finally:
        if (top / "venv").exists():
            _removable(top / "venv")
        shutil.rmtree(top, ignore_errors=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def running(
    installed: Installed, public_url: str | None = None, **settings: str
) -> Iterator[tuple[str, Path]]:
    """``interlude run`` of the installed wheel on a free local port, from its empty working
    directory, with a data directory of its own and ``INTERLUDE_<name>`` settings; yields (its
    local URL, the data directory)."""
    port = free_port()
    local = f"http://127.0.0.1:{port}"
    data = installed.workdir / f"data-{port}"
    env = installed.env(
        INTERLUDE_DATA_DIR=str(data),
        INTERLUDE_BASE_URL=public_url or local,
        **{f"INTERLUDE_{name.upper()}": value for name, value in settings.items()},
    )
    log_path = installed.workdir.parent / f"interlude-{port}.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [str(installed.interlude), "run", "--host", "127.0.0.1", "--port", str(port)],
            cwd=installed.workdir,
            env=env,
            user=installed.uid,
            group=installed.uid,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 40
        while True:
            if process.poll() is not None:
                pytest.fail(f"interlude run exited {process.returncode}:\n{log_path.read_text()}")
            try:
                if httpx.get(f"{local}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"interlude run was not ready in 40 s:\n{log_path.read_text()}")
            time.sleep(0.2)
        yield local, data
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def sdist_names(sdist: Path) -> set[str]:
    with tarfile.open(sdist) as archive:
        return {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
