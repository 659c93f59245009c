"""Run the Alembic migrations from code (``interlude migrate``, ``interlude run``, tests).

The migration scripts live in this package (``env.py``, ``script.py.mako``, ``versions/``), so an
installed wheel carries them and ``interlude migrate`` works from any directory. The Alembic
configuration is built here; the top-level ``alembic.ini`` only serves developers running the
``alembic`` command in a checkout.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory


def script_location() -> Path:
    """This package's directory on disk (Alembic loads ``env.py`` and ``versions/`` from it)."""
    location = resources.files(__name__)
    # A wheel is always installed unzipped, so the package is a real directory.
    if not isinstance(location, Path):
        raise RuntimeError(f"the migrations must be installed as files, not in {location}")
    return location


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(script_location()))
    config.set_main_option("file_template", "%%(rev)s_%%(slug)s")
    config.set_main_option("path_separator", "os")
    # ConfigParser interpolation: a literal % in a password must be doubled.
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


@lru_cache(maxsize=1)
def script_heads() -> frozenset[str]:
    """The head revision(s) of the migration scripts this code ships (read once)."""
    return frozenset(ScriptDirectory.from_config(alembic_config("")).get_heads())


def head_revision() -> str | None:
    """The newest revision this code ships (``interlude doctor`` compares the database to it);
    the chain is linear, so there is one."""
    heads = script_heads()
    if len(heads) > 1:
        raise RuntimeError(f"the migrations have several heads: {sorted(heads)}")
    return next(iter(heads), None)


def upgrade(url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str = "base") -> None:
    command.downgrade(alembic_config(url), revision)
