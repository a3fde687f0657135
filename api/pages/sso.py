"""``/auth/oidc/login`` and ``/auth/oidc/callback``: sign in with the organisation's
identity provider (authorization code + PKCE), then a server-side session.

Only mounted when ``CASUSREGIE_OIDC_ISSUER`` and ``_CLIENT_ID`` are set."""

from __future__ import annotations

from urllib.parse import urlencode

import structlog
from authlib.integrations.base_client import OAuthError
from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response
from joserfc.errors import JoseError

from api.deps import SessionDep, SettingsDep
from api.oidc import SignOnRefused, oidc_client, user_for_claims
from api.pages import messages
from api.pages.auth import safe_return, sign_in_context, start_session
from api.pages.render import render
from core.config import Settings

log = structlog.get_logger()
router = APIRouter(include_in_schema=False)


def _base_url(request: Request, settings: Settings) -> str:
    return (settings.public_url or str(request.base_url)).rstrip("/")


@router.get("/auth/oidc/login")
async def oidc_login(request: Request, settings: SettingsDep, terug: str | None = None) -> Response:
    client = oidc_client(settings)
    if safe_return(terug):  # back to the page asked for after the callback
        request.session["terug"] = safe_return(terug)
    redirect_uri = _base_url(request, settings) + "/auth/oidc/callback"
    response = await client.authorize_redirect(request, redirect_uri)
    assert isinstance(response, Response)
    return response


def _refused(request: Request, settings: Settings, code: str, status: int = 401) -> Response:
    context = sign_in_context(settings, error=messages.for_code(code))
    return render(request, "sign_in.html", context, status=status)


@router.get("/auth/oidc/callback")
async def oidc_callback(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    client = oidc_client(settings)
    try:
        token = await client.authorize_access_token(request, leeway=settings.oidc_leeway_seconds)
    except (OAuthError, JoseError, ValueError, KeyError) as exc:
        # a wrong state, a refused code, an ID token with another audience, expired, ...
        log.info("oidc_sign_in_refused", reason=type(exc).__name__, error=str(exc)[:200])
        return _refused(request, settings, "oidc_failed")
    claims = dict(token.get("userinfo") or {})
    if not claims.get("sub"):
        return _refused(request, settings, "oidc_failed")
    try:
        principal = await run_in_threadpool(user_for_claims, session, settings, claims)
    except SignOnRefused as refused:
        log.info("oidc_sign_in_no_account", reason=str(refused))
        return _refused(request, settings, refused.code, status=403)
    return start_session(
        request,
        session,
        settings,
        principal.user_id,
        "oidc",
        id_token_hint=token.get("id_token"),
        target=request.session.pop("terug", None),
    )


async def provider_logout(
    request: Request, settings: Settings, id_token_hint: str | None
) -> RedirectResponse:
    """Where the browser goes after our logout: the provider's end-session endpoint
    (RP-initiated logout) when it has one, back to our sign-in page afterwards."""
    back = _base_url(request, settings) + "/"
    try:
        metadata = await oidc_client(settings).load_server_metadata()
    except Exception:  # noqa: BLE001 - our session is ended either way
        return RedirectResponse("/", status_code=303)
    endpoint = metadata.get("end_session_endpoint")
    if not endpoint:
        return RedirectResponse("/", status_code=303)
    params = {"post_logout_redirect_uri": back, "client_id": settings.oidc_client_id}
    if id_token_hint:
        params["id_token_hint"] = id_token_hint
    return RedirectResponse(f"{endpoint}?{urlencode(params)}", status_code=303)
