"""A real OpenID Connect provider process for the tests: ``oidc-provider-mock`` (Authlib
and Flask) started as its own process on a free port, with a given token lifetime."""

from __future__ import annotations

import contextlib
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import parse_qs, quote, urlsplit

import httpx

from core.ports import free_port


@dataclass
class Provider:
    issuer: str

    def set_user(self, sub: str, claims: dict) -> None:
        r = httpx.put(f"{self.issuer}/users/{quote(sub, safe='')}", json=claims)
        assert r.status_code == 204, r.text

    def authorize(self, authorize_url: str, sub: str) -> str:
        """The person picks ``sub`` on the provider's login form; the redirect back."""
        r = httpx.post(authorize_url, data={"sub": sub})
        assert r.status_code == 302, r.text
        return r.headers["location"]

    def token_for(self, sub: str, client_id: str) -> dict:
        """What a script gets from the provider for ``client_id`` (code flow, no browser)."""
        redirect_uri = "http://127.0.0.1/script-callback"
        query = (
            f"response_type=code&client_id={quote(client_id)}&scope=openid"
            f"&redirect_uri={quote(redirect_uri, safe='')}&state=s1"
        )
        location = self.authorize(f"{self.issuer}/oauth2/authorize?{query}", sub)
        code = parse_qs(urlsplit(location).query)["code"][0]
        r = httpx.post(
            f"{self.issuer}/oauth2/token",
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": redirect_uri,
                "client_id": client_id,
                "client_secret": "secret",
            },
        )
        assert r.status_code == 200, r.text
        return r.json()


@contextlib.contextmanager
def provider_process(token_max_age: int = 3600) -> Iterator[Provider]:
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "oidc_provider_mock",
            "--port",
            str(port),
            "--token-max-age",
            str(token_max_age),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    issuer = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                if httpx.get(f"{issuer}/.well-known/openid-configuration").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the OIDC provider did not start")
            time.sleep(0.1)
        yield Provider(issuer=issuer)
    finally:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
