"""Packs the built PWA into the wheel; everything else about the package is in pyproject.toml.

``frontend/dist`` (``make frontend``) is copied to ``interlude/static/`` in the wheel, where the
server finds it by default (core/settings.py). The sdist carries ``frontend/dist`` (MANIFEST.in),
so a wheel built from the sdist is the same as one built from the checkout. A build with no
built PWA stops and says so, rather than producing a wheel that serves only the API; set
``INTERLUDE_BUILD_WITHOUT_PWA=1`` to build an API-only wheel on purpose. Editable installs
(``pip install -e .``) serve ``frontend/dist`` from the checkout instead.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

PWA = Path("frontend") / "dist"


class BuildPyWithPWA(build_py):
    def run(self) -> None:
        super().run()
        if self.editable_mode:
            return
        target = Path(self.build_lib) / "interlude" / "static"
        shutil.rmtree(target, ignore_errors=True)
        if (PWA / "index.html").is_file():
            # .vite/ holds the build's own manifests, not files the app serves.
            shutil.copytree(PWA, target, ignore=shutil.ignore_patterns(".vite"))
        elif os.environ.get("INTERLUDE_BUILD_WITHOUT_PWA") != "1":
            raise SystemExit(
                f"{PWA.resolve()} holds no built PWA: run `make frontend` first "
                "(or set INTERLUDE_BUILD_WITHOUT_PWA=1 to build a wheel that serves only the API)"
            )


setup(cmdclass={"build_py": BuildPyWithPWA})
