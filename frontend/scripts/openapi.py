"""Print the API's OpenAPI document as JSON, without a server and without a real database.

The app is built as the tests build it (``interlude.app.create_app`` with a ``Runtime``) in a
throwaway directory (an SQLite file never opened, a key made there): ``app.openapi()`` only
reads the routes. The settings are fixed and ``INTERLUDE_*`` variables are ignored, so the
document depends on the code alone. ``make api-types`` turns it into ``src/api/types.ts``.

Run with the project's Python: ``.venv/bin/python frontend/scripts/openapi.py > openapi.json``.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path


def openapi_document() -> dict[str, object]:
    for name in [n for n in os.environ if n.upper().startswith("INTERLUDE_")]:
        del os.environ[name]
    from interlude.app import create_app
    from interlude.core.runtime import Runtime
    from interlude.core.settings import Settings

    with tempfile.TemporaryDirectory(prefix="interlude-openapi-") as tmp:
        settings = Settings(
            data_dir=Path(tmp),
            database_url=f"sqlite:///{Path(tmp) / 'unused.db'}",
            frontend_dist=Path(tmp) / "no-frontend",
            _env_file=None,
        )
        runtime = Runtime.from_settings(settings)
        try:
            return create_app(runtime).openapi()
        finally:
            runtime.dispose()


def main() -> None:
    json.dump(openapi_document(), sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
