"""The Dutch web pages (server-rendered Jinja2, plain forms, no JavaScript build)."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import RedirectResponse

from api.pages import auth, cases, inbox, signals
from api.pages.deps import LoginRequired
from api.pages.session import clear_session_cookie

router = APIRouter(include_in_schema=False)
for module in (auth, inbox, cases, signals):
    router.include_router(module.router)


def install(app: FastAPI, oidc: bool = False) -> None:
    app.include_router(router)
    if oidc:
        from api.pages import sso

        app.include_router(sso.router)

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, exc: LoginRequired) -> RedirectResponse:
        response = RedirectResponse("/?verlopen=1" if exc.expired else "/", status_code=303)
        clear_session_cookie(response)
        return response
