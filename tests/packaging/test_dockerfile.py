"""The image cannot be built on this machine (no base images can be pulled); test_wheel.py runs
the wheel in the image's layout. These checks keep the Dockerfile to that layout."""

from __future__ import annotations

import json
import re

from tests.packaging.conftest import ROOT

DOCKERFILE = (ROOT / "Dockerfile").read_text()


def _instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    joined = re.sub(r"\\\n\s*", " ", text)
    rows = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            rows.append((word.upper(), rest.strip()))
    return rows


def _final_stage() -> list[tuple[str, str]]:
    rows = _instructions(DOCKERFILE)
    last_from = max(i for i, (word, _) in enumerate(rows) if word == "FROM")
    return rows[last_from:]


def test_the_image_installs_only_the_wheel_and_runs_it_as_a_user_with_a_data_volume():
    final = _final_stage()
    words = [word for word, _ in final]
    # No source at run time: nothing is copied into the final stage, the wheels are mounted.
    assert "COPY" not in words and "ADD" not in words
    (install,) = [args for word, args in final if word == "RUN" and "pip install" in args]
    assert "--mount=type=bind,from=wheels" in install
    assert "--no-index" in install and "/wheels/interlude-*.whl" in install
    (user,) = [args for word, args in final if word == "USER"]
    assert user not in {"root", "0"}
    assert f"chown {user}:{user} /data" in install
    envs = " ".join(args for word, args in final if word == "ENV")
    assert "INTERLUDE_DATA_DIR=/data" in envs and "FRONTEND_DIST" not in envs
    (volume,) = [args for word, args in final if word == "VOLUME"]
    assert json.loads(volume) == ["/data"]
    (command,) = [args for word, args in final if word == "CMD"]
    assert json.loads(command)[:2] == ["interlude", "run"]


def test_the_wheel_stage_packs_the_pwa_built_in_the_first_stage():
    rows = _instructions(DOCKERFILE)
    assert ("COPY", "--from=frontend /src/frontend/dist frontend/dist/") in rows
    assert any(word == "RUN" and "pip wheel --no-deps" in args for word, args in rows)
