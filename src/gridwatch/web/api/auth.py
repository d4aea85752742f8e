"""API: tokens and the current user."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel

from gridwatch.web.deps import ApiAuth, PlatformDep

router = APIRouter(prefix="/api/v1", tags=["auth"])


class TokenIn(BaseModel):
    username: str
    password: str
    name: str = "api"


class TokenOut(BaseModel):
    token: str
    token_type: str = "bearer"


class MeOut(BaseModel):
    id: int | None
    username: str
    display_name: str
    role: str
    jurisdiction_code: str
    sees_personal_data: bool


@router.post("/auth/token", response_model=TokenOut)
def issue_token(body: TokenIn, request: Request, p: PlatformDep) -> TokenOut:
    """Exchange username + password for a bearer token (rate limited like the login page)."""
    client = request.client.host if request.client else "unknown"
    u = p.accounts.authenticate(body.username, body.password, client)
    return TokenOut(token=p.accounts.create_token(u.id, body.name))


@router.get("/me", response_model=MeOut)
def me(auth: ApiAuth) -> MeOut:
    a = auth.actor
    return MeOut(
        id=a.user_id,
        username=a.username,
        display_name=a.display_name,
        role=str(a.role),
        jurisdiction_code=a.jurisdiction_code,
        sees_personal_data=a.sees_personal_data,
    )
