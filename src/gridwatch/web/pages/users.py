"""Page: user management for administrators (list, create, reset password, disable/enable, audit trail)."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool

from gridwatch.web.deps import PageAuth, PlatformDep, csrf_ok
from gridwatch.web.pages.base import NavItem, render
from gridwatch.workflow.roles import Role

router = APIRouter(include_in_schema=False)

NAV = [NavItem("/users", "users", (Role.CITY_ADMIN, Role.DISTRICT_ADMIN, Role.STREET_ADMIN), 80)]


@router.get("/users")
def users_page(request: Request, auth: PageAuth, p: PlatformDep, q: str = "", page: int = 1):  # type: ignore[no-untyped-def]
    res = p.accounts.list_users(auth.actor, query=q, page=page, page_size=p.workspace.settings.web.page_size)
    return render(
        request,
        auth,
        "users.html",
        {
            "res": res,
            "q": q,
            "roles": p.accounts.grantable(auth.actor),
            "places": p.accounts.jurisdictions_within(auth.actor.jurisdiction_code),
            "jnames": p.accounts.names(list({u.jurisdiction_code for u in res.items})),
            "events": p.accounts.user_events(auth.actor, limit=20),
        },
    )


USER_ACTIONS = {
    "user_create": lambda p, a, f: p.accounts.create_user(
        str(f.get("username", "")).strip(),
        str(f.get("password", "")),
        str(f.get("role", "")),
        str(f.get("jurisdiction_code", "")).strip().split(" ", 1)[0],
        str(f.get("display_name", "")).strip(),
        str(f.get("phone", "")).strip() or None,
        by=a,
    ),
    "user_reset_password": lambda p, a, f: p.accounts.reset_password(a, int(str(f.get("user_id"))), str(f.get("password", ""))),
    "user_disable": lambda p, a, f: p.accounts.set_active(a, int(str(f.get("user_id"))), False),
    "user_enable": lambda p, a, f: p.accounts.set_active(a, int(str(f.get("user_id"))), True),
}
"""Form posts of the user page, by action (each one service call; the service checks who may do it)."""


@router.post("/users/act/{action}")
async def user_act(action: str, request: Request, auth: PageAuth, p: PlatformDep):  # type: ignore[no-untyped-def]
    form = await request.form()
    if not csrf_ok(auth, str(form.get("csrf_token", ""))):
        raise HTTPException(403, "CSRF token missing or wrong; reload the page")
    handler = USER_ACTIONS.get(action)
    if handler is None:
        raise HTTPException(404, f"unknown action {action!r}")
    await run_in_threadpool(handler, p, auth.actor, form)
    return RedirectResponse(f"/users?msg={action}", status_code=303)
