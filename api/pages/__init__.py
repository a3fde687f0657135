"""The Dutch web pages (server-rendered Jinja2, plain forms, no JavaScript build)."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import RedirectResponse, Response

from api.pages import auth, cases, inbox, settings_pages, signals, start
from api.pages.auth import safe_return, sign_in_form
from api.pages.deps import LoginRequired
from api.pages.refill import carried
from api.pages.session import clear_session_cookie

router = APIRouter(include_in_schema=False)
for module in (auth, start, inbox, cases, signals, settings_pages):
    router.include_router(module.router)


def install(app: FastAPI, oidc: bool = False) -> None:
    app.include_router(router)
    if oidc:
        from api.pages import sso

        app.include_router(sso.router)

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, exc: LoginRequired) -> Response:
        """No (valid) session: a page goes to sign-in and back; a sent form is kept."""
        path = request.url.path
        if request.method == "POST" and path not in ("/login", "/logout"):
            try:
                form = await request.form()
                values = {
                    k: form.getlist(k) if len(form.getlist(k)) > 1 else form.get(k) for k in form
                }
            except (RuntimeError, ValueError, AssertionError):  # no form to keep
                values = {}
            response = sign_in_form(
                request, safe_return(path), carried(values), status=401, expired=True
            )
        else:
            query = f"?{request.url.query}" if request.url.query else ""
            target = safe_return(path + query) if path not in ("/", "/start") else None
            params = {"verlopen": "1"} if exc.expired else {}
            if target:
                params["terug"] = target
            response = RedirectResponse(
                "/" + (f"?{urlencode(params)}" if params else ""), status_code=303
            )
        clear_session_cookie(response)
        return response
