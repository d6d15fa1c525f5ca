"""The OpenAPI document of API v1 as checked in at ``docs/openapi.json`` (sorted keys, indent 2)."""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings

DOCUMENT_PATH = Path(settings.BASE_DIR) / "docs" / "openapi.json"
REGENERATE = ".venv/bin/phongtrao export_openapi"


def openapi_document() -> str:
    from phongtrao.api.v1 import api

    schema = api.get_openapi_schema()
    return json.dumps(schema, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
