"""``/docs``: Swagger UI served by the app itself, so it works without internet access.

The assets (Swagger UI 5, Apache-2.0) come from the ``fastapi-offline`` package, which
ships them with their licence; the page loads them from ``/static/swagger/`` and starts
Swagger UI from ``static/swagger-init.js`` (no inline script: the CSP forbids it).
"""

from __future__ import annotations

from pathlib import Path

import fastapi_offline
from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

SWAGGER_ASSETS = Path(fastapi_offline.__file__).resolve().parent / "static"

PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>casusregie API</title>
  <link rel="stylesheet" href="/static/swagger/swagger-ui.css">
  <link rel="icon" href="/static/swagger/favicon.png">
</head>
<body>
  <div id="swagger-ui" data-openapi-url="/openapi.json"></div>
  <script src="/static/swagger/swagger-ui-bundle.js"></script>
  <script src="/static/swagger-init.js"></script>
</body>
</html>
"""


def install(app: FastAPI) -> None:
    app.mount("/static/swagger", StaticFiles(directory=SWAGGER_ASSETS), name="swagger")

    @app.get("/docs", include_in_schema=False)
    def swagger_ui() -> HTMLResponse:
        return HTMLResponse(PAGE)
