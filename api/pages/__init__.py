"""The Dutch web pages (server-rendered Jinja2, plain forms, no JavaScript build)."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import RedirectResponse

from api.pages import auth, cases, inbox, signals
from api.pages.deps import LoginRequired
from api.pages.session import clear_session

router = APIRouter(include_in_schema=False)
for module in (auth, inbox, cases, signals):
    router.include_router(module.router)


def install(app: FastAPI) -> None:
    app.include_router(router)

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, _exc: LoginRequired) -> RedirectResponse:
        response = RedirectResponse("/", status_code=303)
        clear_session(response)
        return response
