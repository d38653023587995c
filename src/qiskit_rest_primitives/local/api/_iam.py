"""IAM emulation: issue and verify HS256 JWT bearer tokens signed with the server's secret."""

from __future__ import annotations

import math
import secrets
import threading
import time
import uuid
from collections import deque
from typing import Any

import jwt

from ._errors import CODE_INVALID_CREDENTIALS, ApiError

_ALGORITHM = "HS256"
_CACHE_SIZE = 4096


class TokenIssuer:
    """Mints access tokens bound to one instance CRN and checks them on every API call.

    Revocation is a generation counter baked into each token: ``revoke_all`` bumps the counter,
    so every token issued before is refused while new ones work.
    """

    def __init__(self, ttl: int = 3600, *, secret: bytes | None = None) -> None:
        self._secret = secret if secret is not None else secrets.token_bytes(32)
        self._lock = threading.Lock()
        self._generation = 0
        # token string -> (crn, exp, generation): a token's signature and claims never change,
        # so each one is decoded once; expiry and revocation are still checked on every call.
        self._verified: dict[str, tuple[str, float, int]] = {}
        self.ttl = ttl

    def issue(self, crn: str, account: str) -> dict[str, Any]:
        """Return the IAM token response body (wire-format §2.1) for an instance."""
        now = int(time.time())
        ttl = int(self.ttl)
        with self._lock:
            generation = self._generation
        claims = {
            "iam_id": f"IBMid-{account[:10]}",
            "sub": "local-user@example.com",
            "account": {"bss": account, "valid": True},
            "crn": crn,
            "gen": generation,
            "jti": uuid.uuid4().hex,
            "iat": now,
            "exp": now + ttl,
            "iss": "qiskit-rest-primitives-local",
            "grant_type": "urn:ibm:params:oauth:grant-type:apikey",
            "scope": "ibm openid",
        }
        token = jwt.encode(claims, self._secret, algorithm=_ALGORITHM)
        return {
            "access_token": token,
            "refresh_token": "not_supported",
            "token_type": "Bearer",
            "expires_in": ttl,
            "expiration": now + ttl,
            "scope": "ibm openid",
        }

    def verify(self, token: str) -> str:
        """Return the CRN a valid token is bound to; raise a 401 ``ApiError`` otherwise."""
        hit = self._verified.get(token)
        if hit is not None:
            crn, exp, generation = hit
            if time.time() < exp:  # PyJWT's rule: expired once ``exp <= now``
                if generation != self._generation:
                    raise _unauthorized("The access token has been revoked.")
                return crn
            self._verified.pop(token, None)
        return self._decode(token)

    def _decode(self, token: str) -> str:
        """Full JWT verification; remembers tokens that pass."""
        try:
            claims = jwt.decode(
                token, self._secret, algorithms=[_ALGORITHM], options={"require": ["exp", "iat"]}
            )
        except jwt.ExpiredSignatureError as exc:
            raise _unauthorized("The access token has expired.") from exc
        except jwt.PyJWTError as exc:
            raise _unauthorized("The access token is not valid.") from exc
        with self._lock:
            generation = self._generation
        if claims.get("gen") != generation:
            raise _unauthorized("The access token has been revoked.")
        crn = str(claims.get("crn", ""))
        exp = claims.get("exp")
        if isinstance(exp, (int, float)) and not isinstance(exp, bool):
            if len(self._verified) >= _CACHE_SIZE:
                self._verified.clear()
            self._verified[token] = (crn, float(exp), generation)
        return crn

    def revoke_all(self) -> None:
        """Refuse every token issued so far."""
        with self._lock:
            self._generation += 1


class FailedAttempts:
    """Failed token requests per client address over a sliding minute (API-key guessing)."""

    WINDOW = 60.0

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._times: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def retry_after(self, client: str) -> int:
        """Seconds until ``client`` may ask again: 0 now, else until its oldest failure ages out."""
        now = time.monotonic()
        with self._lock:
            times = self._times.get(client)
            while times and times[0] <= now - self.WINDOW:
                times.popleft()
            if not times:
                self._times.pop(client, None)
                return 0
            if len(times) < self.limit:
                return 0
            return max(1, math.ceil(times[0] + self.WINDOW - now))

    def record(self, client: str) -> None:
        """Count one failed attempt of ``client``."""
        with self._lock:
            self._times.setdefault(client, deque()).append(time.monotonic())

    def clear(self) -> None:
        """Forget every failure."""
        with self._lock:
            self._times.clear()


def _unauthorized(message: str) -> ApiError:
    return ApiError(401, message, CODE_INVALID_CREDENTIALS)
