"""Prints the OpenAPI document of the API as deployed (`make openapi` writes docs/openapi.json).

The app is loaded the way `chalice package --stage prod` loads it: with the prod
stage's environment from .chalice/config.json. Dev-only routes are then absent
because app.py does not register them, not because a filter here remembers to
drop them; the document can only list routes the deployed API has.
"""
import contextlib
import json
import os
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
STAGE = "prod"


def deployed_app(stage: str = STAGE) -> Any:
    """The Chalice app object with the stage's environment (changes os.environ: CLI use only)."""
    from chalice.cli.factory import CLIFactory

    factory = CLIFactory(project_dir=str(ROOT), environ=os.environ)  # as chalice's own CLI does
    config = factory.create_config_obj(chalice_stage_name=stage)
    return config.chalice_app


def document(stage: str = STAGE) -> str:
    from chalicelib.api import openapi

    # Importing the app must not write to stdout: stdout is the document.
    with contextlib.redirect_stdout(sys.stderr):
        app = deployed_app(stage)
    return json.dumps(openapi.build(app), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    sys.stdout.buffer.write(document().encode("utf-8"))
