"""Single sign-on with the organisation's identity provider (OpenID Connect, Authlib).

- Pages: authorization code flow with PKCE (S256) and a nonce, through Authlib's
  Starlette client (api/pages/sso.py). Its short-lived login state (state, nonce, PKCE
  verifier) lives in an HMAC-signed cookie limited to ``/auth/oidc`` for ten minutes;
  after the callback the person gets a server-side session like any other.
- API: a JWT from the same provider (``Authorization: Bearer <jwt>``) is accepted when
  its signature (the provider's JWKS), issuer, audience (our client id) and expiry hold.
- Role and organisation come from the claims ``CASUSREGIE_OIDC_ROLE_CLAIM`` and
  ``CASUSREGIE_OIDC_ORG_CLAIM``, or, for providers that cannot send them, from the
  mapping file ``CASUSREGIE_OIDC_MAPPING_FILE`` (TOML, see docs/security.md). The
  organisation must be in the registry; a revoked user stays refused.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import tomllib
from functools import lru_cache
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import structlog
from authlib.integrations.starlette_client import OAuth
from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from joserfc.jws import JWSRegistry
from sqlmodel import Session, select
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.auth import principal_of
from api.errors import ApiError
from api.scoping import Principal
from core.config import Settings
from core.security import hash_token, new_token
from db.accounts import ORG_KIND_BY_ROLE, AccountError, clean_name
from db.models import Organisation, User
from domain.vocabulary import Role

log = structlog.get_logger()

STATE_COOKIE = "casusregie_oidc"
STATE_PATH = "/auth/oidc"
STATE_SECONDS = 600
PROVIDER = "idp"


class SignOnRefused(Exception):
    """The provider's answer is valid but gives no usable account (Dutch page)."""

    def __init__(self, reason: str, code: str = "no_account") -> None:
        super().__init__(reason)
        self.code = code


def issuer_origin(settings: Settings) -> str:
    parts = urlsplit(settings.oidc_issuer or "")
    return f"{parts.scheme}://{parts.netloc}"


# --- the login state cookie (Authlib keeps state, nonce and PKCE verifier in it) ------


def _sign(settings: Settings, payload: bytes) -> str:
    mac = hmac.new(settings.derived_key("oidc-state"), payload, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).decode().rstrip("=")


def encode_state(settings: Settings, data: dict[str, Any]) -> str:
    payload = base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")
    return f"{payload}.{_sign(settings, payload.encode())}"


def decode_state(settings: Settings, value: str | None) -> dict[str, Any]:
    if not value or value.count(".") != 1 or len(value) > 8000:
        return {}
    payload, mac = value.split(".")
    if not hmac.compare_digest(mac, _sign(settings, payload.encode())):
        return {}
    try:
        data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


class OidcStateMiddleware:
    """``request.session`` for the ``/auth/oidc`` routes only, kept in a signed cookie."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(STATE_PATH):
            await self.app(scope, receive, send)
            return
        cookies = SimpleCookie()
        raw = dict(scope["headers"]).get(b"cookie", b"").decode("latin-1")
        try:
            cookies.load(raw)
        except Exception:  # noqa: BLE001 - a malformed cookie header is no session
            cookies = SimpleCookie()
        given = cookies[STATE_COOKIE].value if STATE_COOKIE in cookies else None
        scope["session"] = decode_state(self.settings, given)
        before = json.dumps(scope["session"], sort_keys=True)

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                after = json.dumps(scope["session"], sort_keys=True)
                if after != before:
                    secure = "; Secure" if scope.get("scheme") == "https" else ""
                    if scope["session"]:
                        value = encode_state(self.settings, scope["session"])
                        cookie = (
                            f"{STATE_COOKIE}={value}; Path={STATE_PATH}; Max-Age={STATE_SECONDS}"
                            f"; HttpOnly; SameSite=Lax{secure}"
                        )
                    else:
                        cookie = f"{STATE_COOKIE}=; Path={STATE_PATH}; Max-Age=0; HttpOnly"
                    headers = list(message.get("headers", []))
                    headers.append((b"set-cookie", cookie.encode("latin-1")))
                    message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_cookie)


# --- the Authlib client ---------------------------------------------------------------


@lru_cache(maxsize=4)
def _oauth(issuer: str, client_id: str, client_secret: str | None, scopes: str) -> Any:
    oauth = OAuth()
    oauth.register(
        PROVIDER,
        client_id=client_id,
        client_secret=client_secret,
        server_metadata_url=issuer.rstrip("/") + "/.well-known/openid-configuration",
        client_kwargs={"scope": scopes, "code_challenge_method": "S256"},
    )
    return oauth.create_client(PROVIDER)


def oidc_client(settings: Settings) -> Any:
    """Authlib's Starlette OAuth2 app for the configured provider (metadata and JWKS
    are fetched on first use and kept)."""
    assert settings.oidc_issuer
    assert settings.oidc_client_id
    return _oauth(
        settings.oidc_issuer,
        settings.oidc_client_id,
        settings.oidc_client_secret,
        settings.oidc_scopes,
    )


# --- claims to a user -----------------------------------------------------------------


@lru_cache(maxsize=4)
def _mapping(path: str, mtime: float) -> list[dict[str, Any]]:
    with Path(path).open("rb") as fh:
        data = tomllib.load(fh)
    rules = data.get("map", [])
    for rule in rules:
        missing = {"claim", "value", "role", "org"} - set(rule)
        if missing:
            raise ValueError(f"{path}: a [[map]] entry lacks {sorted(missing)}")
    return list(rules)


def mapping_rules(settings: Settings) -> list[dict[str, Any]]:
    path = settings.oidc_mapping_file
    if path is None:
        return []
    return _mapping(str(path), Path(path).stat().st_mtime)


def _claim_matches(claims: dict[str, Any], claim: str, value: str) -> bool:
    given = claims.get(claim)
    if isinstance(given, list):
        return value in [str(v) for v in given]
    return given is not None and str(given) == value


def role_and_org(settings: Settings, claims: dict[str, Any]) -> tuple[str, str]:
    """From the configured claims; else the first matching rule of the mapping file."""
    role, org = claims.get(settings.oidc_role_claim), claims.get(settings.oidc_org_claim)
    if isinstance(role, str) and isinstance(org, str) and role and org:
        return role, org
    for rule in mapping_rules(settings):
        if _claim_matches(claims, str(rule["claim"]), str(rule["value"])):
            return str(rule["role"]), str(rule["org"])
    raise SignOnRefused(
        f"the identity provider sent no {settings.oidc_role_claim}/{settings.oidc_org_claim} "
        "claims and the mapping file has no entry for this person"
    )


def user_for_claims(db: Session, settings: Settings, claims: dict[str, Any]) -> Principal:
    """The user of these (verified) claims: created on first sign-on, its role and
    organisation updated from the claims on every sign-on; refused when revoked or when
    the organisation is not in the registry."""
    issuer, subject = str(claims.get("iss") or settings.oidc_issuer), str(claims["sub"])
    role_name, org_name = role_and_org(settings, claims)
    try:
        role = Role(role_name)
    except ValueError:
        raise SignOnRefused(f"unknown role {role_name!r} in the claims") from None
    org = db.exec(select(Organisation).where(Organisation.name == org_name)).first()
    if org is None or org.kind != ORG_KIND_BY_ROLE[role]:
        raise SignOnRefused(f"organisation {org_name!r} is not registered for role {role}")
    name = str(
        claims.get("name") or claims.get("preferred_username") or claims.get("email") or subject
    )
    try:
        name = clean_name("name", name)
    except AccountError:
        name = subject
    user = db.exec(
        select(User).where(User.oidc_issuer == issuer, User.oidc_subject == subject)
    ).first()
    if user is None:
        user = User(
            name=name,
            role=role.value,
            org_id=org.id,
            token_hash=hash_token(new_token()),  # no API token until rotate-token
            oidc_issuer=issuer,
            oidc_subject=subject,
            email=str(claims["email"]) if claims.get("email") else None,
        )
        log.info("sso_user_created", role=role.value)
    elif not user.active:
        raise SignOnRefused("this user has been revoked", code="forbidden")
    else:
        user.name, user.role, user.org_id = name, role.value, org.id
    db.add(user)
    db.commit()
    db.refresh(user)
    return principal_of(user, org)


# --- bearer JWTs on the API -----------------------------------------------------------


async def _key_set(settings: Settings, force: bool = False) -> KeySet:
    jwks = await oidc_client(settings).fetch_jwk_set(force=force)
    return KeySet.import_key_set(jwks)


def verify_claims(settings: Settings, claims: dict[str, Any], now: float | None = None) -> None:
    """Issuer, audience and lifetime of a decoded token; ``JoseError`` when wrong."""
    assert settings.oidc_issuer
    assert settings.oidc_client_id
    registry = jwt.JWTClaimsRegistry(
        now=int(now or time.time()),
        leeway=settings.oidc_leeway_seconds,
        iss={"essential": True, "value": settings.oidc_issuer.rstrip("/")},
        aud={"essential": True, "value": settings.oidc_client_id},
        exp={"essential": True},
        sub={"essential": True},
    )
    registry.validate(claims)


async def principal_for_jwt(
    request: Request, db: Session, settings: Settings, token: str
) -> Principal:
    unauthenticated = ApiError(
        401,
        "bearer token refused: not signed by the identity provider, "
        "expired, or issued for another audience",
        headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
    )
    try:
        metadata = await oidc_client(settings).load_server_metadata()
        algorithms = metadata.get("id_token_signing_alg_values_supported") or ["RS256"]
        registry = JWSRegistry(algorithms=algorithms)
        try:
            decoded = jwt.decode(token, await _key_set(settings), registry=registry)
        except JoseError:
            decoded = jwt.decode(token, await _key_set(settings, force=True), registry=registry)
        verify_claims(settings, dict(decoded.claims))
    except (JoseError, ValueError) as exc:
        log.info("bearer_jwt_refused", reason=type(exc).__name__)
        raise unauthenticated from None
    try:
        return await run_in_threadpool(user_for_claims, db, settings, dict(decoded.claims))
    except SignOnRefused as refused:
        raise ApiError(403, str(refused), code=refused.code) from None
