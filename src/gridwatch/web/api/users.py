"""API: user management for administrators (city: the city; district: its district; street: its street).

Every change is an audited event in the hash chain; users outside the caller's jurisdiction answer 404.
"""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel

from gridwatch.web.deps import ApiAuth, PlatformDep
from gridwatch.workflow.views import UserView

router = APIRouter(prefix="/api/v1", tags=["users"])


class UserOut(BaseModel):
    id: int
    username: str
    display_name: str
    role: str
    jurisdiction_code: str
    phone: str | None
    active: bool
    created_at: datetime

    @classmethod
    def of(cls, v: UserView) -> UserOut:
        return cls.model_validate(v, from_attributes=True)


class UserPage(BaseModel):
    items: list[UserOut]
    total: int
    page: int
    page_size: int
    pages: int


class UserIn(BaseModel):
    username: str
    password: str
    role: str
    jurisdiction_code: str
    display_name: str = ""
    phone: str | None = None


class PasswordIn(BaseModel):
    password: str


class ActiveIn(BaseModel):
    active: bool


class Created(BaseModel):
    id: int


@router.get("/users", response_model=UserPage)
def list_users(auth: ApiAuth, p: PlatformDep, q: str = "", page: int = 1) -> UserPage:
    """Users inside the caller's jurisdiction (administrators only)."""
    res = p.accounts.list_users(auth.actor, query=q, page=page, page_size=p.workspace.settings.web.page_size)
    return UserPage(
        items=[UserOut.of(u) for u in res.items],
        total=res.total,
        page=res.page,
        page_size=res.page_size,
        pages=res.pages,
    )


@router.post("/users", response_model=Created, status_code=201)
def create_user(body: UserIn, auth: ApiAuth, p: PlatformDep) -> Created:
    """Create a user with a role and a jurisdiction inside the caller's own."""
    uid = p.accounts.create_user(
        body.username,
        body.password,
        body.role,
        body.jurisdiction_code,
        body.display_name,
        body.phone,
        by=auth.actor,
    )
    return Created(id=uid)


@router.post("/users/{user_id}/password", status_code=204)
def reset_password(user_id: int, body: PasswordIn, auth: ApiAuth, p: PlatformDep) -> None:
    """Set a new password (ends the user's sessions, revokes their tokens)."""
    p.accounts.reset_password(auth.actor, user_id, body.password)


@router.post("/users/{user_id}/active", status_code=204)
def set_active(user_id: int, body: ActiveIn, auth: ApiAuth, p: PlatformDep) -> None:
    """Disable or enable an account."""
    p.accounts.set_active(auth.actor, user_id, body.active)
