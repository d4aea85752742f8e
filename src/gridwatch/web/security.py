"""Session cookies, CSRF tokens and the refusal to run in production with default secrets."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeTimedSerializer

from gridwatch.config import WebSettings

DEFAULT_SECRET = WebSettings.model_fields["secret_key"].default
SESSION_COOKIE = "gw_session"
LANG_COOKIE = "gw_lang"


class InsecureConfig(RuntimeError):
    """Production mode with a default or weak secret."""


def check_settings(web: WebSettings) -> None:
    if web.mode != "production":
        return
    if web.secret_key == DEFAULT_SECRET or len(web.secret_key) < 32:
        raise InsecureConfig(
            "web.mode is 'production' but web.secret_key is the default or shorter than 32 characters; "
            "set a long random web.secret_key in gridwatch.yaml"
        )


@dataclass(frozen=True)
class SessionData:
    user_id: int
    epoch: int
    csrf: str


class SessionCodec:
    def __init__(self, web: WebSettings) -> None:
        self.serializer = URLSafeTimedSerializer(web.secret_key, salt="gridwatch-session")
        self.max_age = web.session_hours * 3600
        self.secure = web.mode == "production"

    def dumps(self, user_id: int, epoch: int) -> tuple[str, SessionData]:
        data = SessionData(user_id, epoch, secrets.token_urlsafe(24))
        return self.serializer.dumps({"u": data.user_id, "e": data.epoch, "c": data.csrf}), data

    def loads(self, raw: str | None) -> SessionData | None:
        if not raw:
            return None
        try:
            d = self.serializer.loads(raw, max_age=self.max_age)
            return SessionData(int(d["u"]), int(d["e"]), str(d["c"]))
        except (BadSignature, KeyError, TypeError, ValueError):
            return None
