"""The API's OpenAPI document, made without a server or a database: `python -m
backend.openapi_document` writes it to standard output as JSON.

`scripts/gen_api_types` feeds it to the TypeScript generator, which writes the editor's API types
(`frontend/src/api/gen/`); `scripts/test` checks that those are current.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Any


def openapi_document() -> dict[str, Any]:
    """What `GET /openapi.json` answers (without a token set), from the app's routes and models.

    The app is built on a database URL in a folder that is removed at once: creating the app
    opens no connection, only its start-up (migrations) would.
    """
    from backend.app import create_app
    from backend.settings import Settings

    with tempfile.TemporaryDirectory(prefix="wfd-openapi-") as folder:
        settings = Settings(
            database_url=f"sqlite:///{Path(folder) / 'wfd.db'}",
            frontend_dist=Path(folder) / "no-editor",
        )
        app = create_app(settings)
        document = app.openapi()
        app.state.engine.dispose()
        return document


def main() -> None:
    json.dump(openapi_document(), sys.stdout, indent=1, sort_keys=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
