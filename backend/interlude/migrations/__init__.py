"""Run the Alembic migrations from code (``interlude migrate``, ``interlude run``, tests).

The migration scripts live in this package (``env.py``, ``script.py.mako``, ``versions/``), so an
installed wheel carries them and ``interlude migrate`` works from any directory. The Alembic
configuration is built here; the top-level ``alembic.ini`` only serves developers running the
``alembic`` command in a checkout.
"""

from __future__ import annotations

import ast
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from alembic.config import Config

# Alembic is imported only to migrate (in the functions below): ~10 MB of modules that a
# serving process, which only compares the database's revision with ``script_heads()``,
# does not hold (issue 16: ``interlude run`` migrates in a short-lived child process).


def script_location() -> Path:
    """This package's directory on disk (Alembic loads ``env.py`` and ``versions/`` from it)."""
    location = resources.files(__name__)
    # A wheel is always installed unzipped, so the package is a real directory.
    if not isinstance(location, Path):
        raise RuntimeError(f"the migrations must be installed as files, not in {location}")
    return location


def alembic_config(url: str) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(script_location()))
    config.set_main_option("file_template", "%%(rev)s_%%(slug)s")
    config.set_main_option("path_separator", "os")
    # ConfigParser interpolation: a literal % in a password must be doubled.
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


@lru_cache(maxsize=1)
def script_heads() -> frozenset[str]:
    """The head revision(s) of the migration scripts this code ships (read once): the
    revisions no script names as its ``down_revision``, read from the scripts' own
    assignments without importing Alembic (tests/test_migrations.py checks this against
    Alembic's ``ScriptDirectory.get_heads()``)."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for script in (script_location() / "versions").glob("*.py"):
        for node in ast.parse(script.read_text(encoding="utf-8")).body:
            target: ast.expr
            if isinstance(node, ast.AnnAssign) and node.value is not None:
                target, expression = node.target, node.value
            elif isinstance(node, ast.Assign) and len(node.targets) == 1:
                target, expression = node.targets[0], node.value
            else:
                continue
            if not isinstance(target, ast.Name):
                continue
            if target.id == "revision":
                revisions.add(ast.literal_eval(expression))
            elif target.id == "down_revision" and (down := ast.literal_eval(expression)):
                parents.update([down] if isinstance(down, str) else down)
    return frozenset(revisions - parents)


def head_revision() -> str | None:
    """The newest revision this code ships (``interlude doctor`` compares the database to it);
    the chain is linear, so there is one."""
    heads = script_heads()
    if len(heads) > 1:
        raise RuntimeError(f"the migrations have several heads: {sorted(heads)}")
    return next(iter(heads), None)


def upgrade(url: str, revision: str = "head") -> None:
    from alembic import command

    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str = "base") -> None:
    from alembic import command

    command.downgrade(alembic_config(url), revision)
