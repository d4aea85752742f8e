"""``gridwatch orders …``, ``gridwatch users …``, ``gridwatch audit verify`` and ``gridwatch demo-users``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from gridwatch.cli.app import workspace

orders_app = typer.Typer(
    help="Work orders (工单): set up, take in suspects, export labels.", no_args_is_help=True
)
users_app = typer.Typer(help="Users, roles and API tokens.", no_args_is_help=True)
audit_app = typer.Typer(help="Audit the tamper-evident event log.", no_args_is_help=True)

DEMO_PASSWORD = "gridwatch-demo"


def _platform(ctx: typer.Context):  # type: ignore[no-untyped-def]
    from gridwatch.workflow.platform import Platform

    ws = workspace(ctx)
    p = Platform.open(ws)
    p.accounts.sync_jurisdictions(ws.settings.city_code)
    return p


@orders_app.command("setup")
def setup(ctx: typer.Context) -> None:
    """Create/upgrade the store and load the city's jurisdiction tree."""
    p = _platform(ctx)
    typer.echo(f"store ready at {p.workspace.database_url.split('@')[-1]}")


def _truth_csv(ws, given: Path | None) -> Path | None:  # type: ignore[no-untyped-def]
    if given is not None:
        return given
    for cand in (ws.home / "input" / "truth" / "customers.csv", ws.home / "truth" / "customers.csv"):
        if cand.exists():
            return cand
    return None


@orders_app.command("intake")
def intake(
    ctx: typer.Context,
    demo: Annotated[
        bool | None,
        typer.Option(
            "--demo/--no-demo",
            help="Seed a clearly labelled demo list from the simulated city's ground truth. "
            "Default: only when no screening run exists and the truth file is found.",
        ),
    ] = None,
    truth: Annotated[
        Path | None, typer.Option(help="Truth customers.csv (default <home>/input/truth/customers.csv).")
    ] = None,
) -> None:
    """Turn the latest screening results and the suspect outbox (and the demo seed) into work orders."""
    from gridwatch.workflow.intake import consume_outbox, demo_suspects, run_intake, screening_suspects

    p = _platform(ctx)
    ws = p.workspace
    truth_csv = _truth_csv(ws, truth)
    sus = screening_suspects(ws, ws.settings.workflow.intake_codes)
    rep = run_intake(ws, p.orders, p.accounts, sus, truth_csv=truth_csv)
    typer.echo(
        f"screening: {len(sus)} suspects → {rep.created} new orders, {rep.reopened} re-opened, "
        f"{rep.skipped_existing} already had orders; dispatch basis {rep.by_basis}"
    )
    ob = consume_outbox(ws, p.orders, p.accounts)
    typer.echo(f"outbox: {ob.outbox_consumed} rows consumed → {ob.created} new orders")
    if demo is None:
        demo = not (ws.results_dir / "screening" / "LATEST").exists() and truth_csv is not None
    if demo:
        if truth_csv is None:
            typer.echo("error: --demo needs the simulated city's truth/customers.csv (--truth)", err=True)
            raise typer.Exit(2)
        d = run_intake(ws, p.orders, p.accounts, demo_suspects(truth_csv), truth_csv=truth_csv)
        typer.echo(
            f"DEMO seed from the simulated city's ground truth (not a model result): {d.created} orders; "
            f"dispatch basis {d.by_basis}"
        )


@orders_app.command("export-labels")
def export_labels(ctx: typer.Context, out: Annotated[Path, typer.Option(help="CSV file to write.")]) -> None:
    """Write re-checked verification outcomes as lake `labels` rows (then `gridwatch ingest labels FILE`)."""
    from gridwatch.workflow.exports import write_labels_csv

    n = write_labels_csv(_platform(ctx).sessions, out)
    typer.echo(f"{n} labels written to {out}")


@orders_app.command("feed-lake")
def feed_lake(ctx: typer.Context) -> None:
    """Feed field results back into the lake: re-checked outcomes → `labels` (the supervised model learns
    from them), orders closed after disposal → `closures` (the resurgence model watches them).

    Writes the two files under results/feedback/ and ingests them; running it again adds nothing new.
    """
    from gridwatch.lake.ingest import ingest_files
    from gridwatch.workflow.exports import write_closures_csv, write_labels_csv

    ws = workspace(ctx)
    p = _platform(ctx)
    try:
        out = ws.results_dir / "feedback"
        files = {"labels": out / "labels.csv", "closures": out / "closures.csv"}
        counts = {"labels": write_labels_csv(p.sessions, files["labels"]),
                  "closures": write_closures_csv(p.sessions, files["closures"], ws.settings.timezone)}
    finally:
        p.close()
    for table, path in files.items():
        (r,) = ingest_files(ws.lake_dir, table, [path], ws.settings.lake, ws.settings.timezone)
        if r.error:
            typer.echo(f"error: {r.error}", err=True)
            raise typer.Exit(1)
        typer.echo(f"{table}: {counts[table]} from work orders, {r.accepted} new or changed in the lake, "
                   f"{r.already_in_lake} already there, {r.quarantined} quarantined")


@users_app.command("create")
def create_user(
    ctx: typer.Context,
    username: str,
    role: str,
    jurisdiction: str,
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)],
    name: str = "",
) -> None:
    """Create a user bound to a jurisdiction (roles: city_admin district_admin street_admin field_staff
    reviewer enforcement analyst auditor)."""
    from gridwatch.workflow.actor import system_actor
    from gridwatch.workflow.errors import WorkflowError

    p = _platform(ctx)
    try:  # audited as the system (whoever runs the command holds the workspace)
        uid = p.accounts.create_user(
            username, password, role, jurisdiction, name, by=system_actor(p.workspace.settings.city_code)
        )
    except WorkflowError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    typer.echo(f"user {username} created (id {uid})")


def _user_id(p, username: str) -> int:  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from gridwatch.workflow.tables import User

    with p.sessions() as s:
        uid = s.scalar(select(User.id).where(User.username == username))
    if uid is None:
        typer.echo(f"error: no user {username!r}", err=True)
        raise typer.Exit(2)
    return uid


@users_app.command("reset-password")
def reset_password(
    ctx: typer.Context,
    username: str,
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)],
) -> None:
    """Set a new password (ends the user's sessions and revokes their API tokens; audited)."""
    from gridwatch.workflow.actor import system_actor
    from gridwatch.workflow.errors import WorkflowError

    p = _platform(ctx)
    try:
        p.accounts.reset_password(system_actor(p.workspace.settings.city_code), _user_id(p, username), password)
    except WorkflowError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    typer.echo(f"password of {username} reset")


def _set_active(ctx: typer.Context, username: str, active: bool) -> None:
    from gridwatch.workflow.actor import system_actor

    p = _platform(ctx)
    p.accounts.set_active(system_actor(p.workspace.settings.city_code), _user_id(p, username), active)
    typer.echo(f"{username} {'enabled' if active else 'disabled'}")


@users_app.command("disable")
def disable_user(ctx: typer.Context, username: str) -> None:
    """Disable an account (ends its sessions; its tokens stop working; audited)."""
    _set_active(ctx, username, False)


@users_app.command("enable")
def enable_user(ctx: typer.Context, username: str) -> None:
    """Enable a disabled account (audited)."""
    _set_active(ctx, username, True)


@users_app.command("token")
def create_token(ctx: typer.Context, username: str, name: str = "cli") -> None:
    """Issue an API bearer token for a user (shown once)."""
    from sqlalchemy import select

    from gridwatch.workflow.tables import User

    p = _platform(ctx)
    with p.sessions() as s:
        uid = s.scalar(select(User.id).where(User.username == username))
    if uid is None:
        typer.echo(f"error: no user {username!r}", err=True)
        raise typer.Exit(2)
    typer.echo(p.accounts.create_token(uid, name))


@audit_app.command("verify")
def audit_verify(ctx: typer.Context) -> None:
    """Check the hash chain of every work-order event; exit 1 naming the first broken event."""
    from gridwatch.workflow.events import verify_chain

    p = _platform(ctx)
    with p.sessions() as s:
        n, brk = verify_chain(s)
    if brk is not None:
        typer.echo(f"BROKEN at event {brk.seq}: {brk.reason} ({n} events read)", err=True)
        raise typer.Exit(1)
    typer.echo(f"intact: {n} events, hash chain verified")


DEMO_USERS = (
    ("city", "city_admin", "city", "市级管理员"),
    ("district", "district_admin", "district", "区级管理员"),
    ("street", "street_admin", "town", "街道管理员"),
    ("reviewer", "reviewer", "town", "复核员"),
    ("enforcer", "enforcement", "town", "执法队员"),
    ("staff1", "field_staff", "community", "网格员一"),
    ("staff2", "field_staff", "community", "网格员二"),
    ("analyst", "analyst", "city", "电网分析师"),
    ("auditor", "auditor", "city", "审计员"),
)


def demo_user_plan(p, district: str | None = None) -> list[tuple[str, str, str, str]]:  # type: ignore[no-untyped-def]
    """Demo accounts placed where the most orders are (falls back to the city's first district)."""
    from sqlalchemy import func, select

    from gridwatch.workflow.tables import Jurisdiction, WorkOrder

    city = p.workspace.settings.city_code
    with p.sessions() as s:
        q = select(WorkOrder.community_code, func.count()).where(WorkOrder.community_code.is_not(None))
        if district:
            q = q.where(WorkOrder.district_code == district)
        row = s.execute(q.group_by(WorkOrder.community_code).order_by(func.count().desc()).limit(1)).first()
        community = row[0] if row else None
        if community is None:
            jq = select(Jurisdiction.code).where(Jurisdiction.level == "community")
            if district:
                jq = jq.where(Jurisdiction.code.startswith(district))
            community = s.scalar(jq.order_by(Jurisdiction.code).limit(1))
    codes = {"city": city, "district": community[:6], "town": community[:9], "community": community}
    return [(u, role, codes[lvl], name) for u, role, lvl, name in DEMO_USERS]


def register(app: typer.Typer) -> None:
    app.add_typer(orders_app, name="orders")
    app.add_typer(users_app, name="users")
    app.add_typer(audit_app, name="audit")

    @app.command("demo-users")
    def demo_users(
        ctx: typer.Context,
        password: Annotated[str, typer.Option(help="Password of every demo account.")] = DEMO_PASSWORD,
        district: Annotated[str | None, typer.Option(help="Place demo users in this district code.")] = None,
    ) -> None:
        """Create one demo account per role where the orders are, and print their logins."""
        from gridwatch.workflow.errors import InvalidInput

        p = _platform(ctx)
        names = p.accounts.names([c for _, _, c, _ in demo_user_plan(p, district)])
        typer.echo("username   role            jurisdiction                    password")
        for username, role, code, name in demo_user_plan(p, district):
            try:
                p.accounts.create_user(username, password, role, code, name)
                state = ""
            except InvalidInput:
                state = "  (exists)"
            typer.echo(f"{username:<10} {role:<15} {code} {names.get(code, ''):<16} {password}{state}")
