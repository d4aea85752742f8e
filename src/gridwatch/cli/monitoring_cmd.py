"""Monitoring commands: ``hj212 parse``, ``devices``, ``gateway``, ``restrictions``, ``alarms``,
``simulate-devices`` (see docs/MONITORING.md).  Handlers only parse arguments and call services."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from gridwatch.cli.app import workspace

hj212_app = typer.Typer(help="HJ 212-2017 codec tools.", no_args_is_help=True)
devices_app = typer.Typer(
    help="Monitoring devices: enterprises, monitoring points (MN), channels.", no_args_is_help=True
)
restrictions_app = typer.Typer(
    help="Stop/limit periods (停产限产) and emergency plans.", no_args_is_help=True
)
alarms_app = typer.Typer(help="Monitoring alarms.", no_args_is_help=True)


@hj212_app.command("parse")
def hj212_parse(
    file: Annotated[Path, typer.Argument(help="One frame per line ('-' = stdin).")],
    column: Annotated[
        str | None, typer.Option(help="Read frames from this column of a tab-separated file with a header.")
    ] = None,
) -> None:
    """Parse frames and print one JSON object per frame: valid, error, qn, st, cn, mn, flag, cp."""
    from gridwatch.monitoring.hj212.cli_io import iter_lines, parse_line

    if str(file) == "-":
        text = sys.stdin.read()
    else:
        text = file.read_text(encoding="utf-8", errors="surrogateescape")
    for line in iter_lines(text, column=column, source=str(file)):
        typer.echo(json.dumps(parse_line(line), ensure_ascii=False))


def _session(ctx: typer.Context):  # type: ignore[no-untyped-def]
    from gridwatch.store.db import make_engine, migrate, session_factory

    url = workspace(ctx).database_url
    migrate(url)
    return session_factory(make_engine(url))()


def _fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(2)


@devices_app.command("add")
def devices_add(
    ctx: typer.Context,
    mn: Annotated[str, typer.Argument(help="Monitoring point id (HJ 212 MN).")],
    password: Annotated[str, typer.Option("--password", help="The point's PW.")],
    enterprise_id: Annotated[str, typer.Option("--enterprise-id", help="Enterprise id.")],
    enterprise_name: Annotated[str | None, typer.Option("--enterprise-name")] = None,
    account_no: Annotated[str | None, typer.Option("--account-no", help="Power account (户号).")] = None,
    division_code: Annotated[str | None, typer.Option("--division", help="Jurisdiction code.")] = None,
    channel: Annotated[
        list[str] | None,
        typer.Option(
            "--channel",
            help="ID:KIND[:pairs=ID][:rated=KW][:codes=I,P,E], KIND production|treatment; repeatable.",
        ),
    ] = None,
) -> None:
    """Register (or update) a monitoring point and its channels."""
    from gridwatch.monitoring.registry import RegistryError, add_device, parse_channel_spec

    try:
        specs = [parse_channel_spec(c) for c in channel or []]
        with _session(ctx) as s, s.begin():
            add_device(
                s,
                mn=mn,
                password=password,
                enterprise_id=enterprise_id,
                enterprise_name=enterprise_name,
                account_no=account_no,
                division_code=division_code,
                channels=specs,
            )
    except RegistryError as exc:
        _fail(str(exc))
    typer.echo(f"registered {mn} ({len(channel or [])} channels)")


@devices_app.command("import")
def devices_import(
    ctx: typer.Context, file: Annotated[Path, typer.Argument(help="submeters.csv of a simulated city.")]
) -> None:
    """Register every monitoring point of a submeters.csv."""
    from gridwatch.monitoring.registry import RegistryError, import_submeters

    try:
        with _session(ctx) as s, s.begin():
            n = import_submeters(s, file)
    except RegistryError as exc:
        _fail(str(exc))
    typer.echo(f"registered {n} monitoring points from {file}")


@devices_app.command("list")
def devices_list(ctx: typer.Context) -> None:
    """List monitoring points with their channels (JSON lines)."""
    from gridwatch.monitoring.registry import load_snapshot

    with _session(ctx) as s:
        snap = load_snapshot(s)
    for p in snap.points.values():
        typer.echo(
            json.dumps(
                {
                    "mn": p.mn,
                    "enterprise_id": p.enterprise_id,
                    "enabled": p.enabled,
                    "channels": [c.__dict__ for c in p.channels],
                },
                ensure_ascii=False,
            )
        )


@restrictions_app.command("plan")
def restrictions_plan(
    ctx: typer.Context,
    enterprise_id: Annotated[str, typer.Argument()],
    level: Annotated[str, typer.Option(help="Alert level, e.g. yellow/orange/red.")],
    action: Annotated[str, typer.Option(help="stop | limit")],
    limit_pct: Annotated[float, typer.Option(help="Cut production by this % (limit).")] = 0.0,
) -> None:
    """Set an enterprise's emergency plan for an alert level."""
    from gridwatch.monitoring.registry import RegistryError, set_plan

    try:
        with _session(ctx) as s, s.begin():
            set_plan(s, enterprise_id=enterprise_id, level=level, action=action, limit_pct=limit_pct)
    except RegistryError as exc:
        _fail(str(exc))
    typer.echo(f"plan of {enterprise_id} at {level}: {action} {limit_pct:g}%")


@restrictions_app.command("declare")
def restrictions_declare(
    ctx: typer.Context,
    level: Annotated[str, typer.Option(help="Alert level.")],
    start: Annotated[datetime, typer.Option("--from", help="Start (local time).")],
    end: Annotated[datetime, typer.Option("--to", help="End (local time).")],
    action: Annotated[
        str, typer.Option(help="Default for enterprises without a plan: stop | limit")
    ] = "limit",
    limit_pct: Annotated[float, typer.Option(help="Default cut in % (limit).")] = 30.0,
    enterprise_id: Annotated[
        str | None, typer.Option("--enterprise-id", help="Only this enterprise.")
    ] = None,
    reason: Annotated[str, typer.Option()] = "",
) -> None:
    """Declare a stop/limit period (e.g. heavy-pollution weather emergency)."""
    from gridwatch.monitoring.registry import RegistryError, declare_restriction

    try:
        with _session(ctx) as s, s.begin():
            rid = declare_restriction(
                s,
                level=level,
                starts_at=start,
                ends_at=end,
                action=action,
                limit_pct=limit_pct,
                enterprise_id=enterprise_id,
                reason=reason,
            )
    except RegistryError as exc:
        _fail(str(exc))
    typer.echo(f"restriction {rid} declared: {level} {start} → {end}")


@restrictions_app.command("list")
def restrictions_list(ctx: typer.Context) -> None:
    """List declared restriction periods (JSON lines)."""
    from gridwatch.monitoring.registry import load_snapshot

    with _session(ctx) as s:
        snap = load_snapshot(s)
    for r in snap.restrictions:
        typer.echo(json.dumps({**r.__dict__, "starts_at": str(r.starts_at), "ends_at": str(r.ends_at)}))


@alarms_app.command("list")
def alarms_list(
    ctx: typer.Context,
    status: Annotated[str | None, typer.Option(help="open | resolved")] = None,
    limit: Annotated[int, typer.Option()] = 100,
) -> None:
    """Print alarms as JSON lines, newest first."""
    from gridwatch.monitoring.queries import list_alarms

    with _session(ctx) as s:
        for row in list_alarms(s, status=status, limit=limit):
            typer.echo(json.dumps(row, ensure_ascii=False, default=str))


def gateway_command(
    ctx: typer.Context,
    host: Annotated[str | None, typer.Option(help="Listen address (default from settings).")] = None,
    port: Annotated[int | None, typer.Option(help="TCP port (default from settings).")] = None,
    http_port: Annotated[int | None, typer.Option(help="Also serve the HTTP readings endpoint here.")] = None,
) -> None:
    """Run the HJ 212 TCP gateway until interrupted."""
    import asyncio
    import logging

    from gridwatch.monitoring.service import run_gateway

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    ws = workspace(ctx)
    g = ws.settings.monitoring.gateway
    asyncio.run(
        run_gateway(
            ws.database_url,
            ws.settings.monitoring,
            host=host or g.host,
            port=g.port if port is None else port,
            http_port=http_port if http_port is not None else g.http_port,
        )
    )


def simulate_devices_command(
    ctx: typer.Context,
    submeters: Annotated[Path | None, typer.Option(help="submeters.csv (default: generate N firms).")] = None,
    firms: Annotated[int, typer.Option("-n", "--firms", help="Firms to generate when no CSV is given.")] = 40,
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    port: Annotated[int, typer.Option()] = 6000,
    minutes: Annotated[int, typer.Option(help="Simulated minutes of data per firm.")] = 300,
    step_s: Annotated[float, typer.Option(help="Simulated seconds between frames.")] = 60.0,
    speed: Annotated[
        float, typer.Option(help="Simulated seconds per real second (0 = as fast as possible).")
    ] = 0,
    seed: Annotated[int, typer.Option()] = 7,
    register: Annotated[
        bool, typer.Option(help="Register the firms' devices in this workspace first.")
    ] = True,
    report: Annotated[
        Path | None, typer.Option(help="Write the caught/missed/false table (JSON) here.")
    ] = None,
    embedded: Annotated[
        bool, typer.Option(help="Start a gateway in this process on --port (0 = any free port).")
    ] = False,
) -> None:
    """Drive simulated firms (normal, cheating, faulty, restricted) over TCP against a running gateway,
    then score the alarms raised against each firm's scenario."""
    from gridwatch.monitoring.devsim.runner import run_simulation

    ws = workspace(ctx)
    result = run_simulation(
        ws,
        submeters=submeters,
        firms=firms,
        host=host,
        port=port,
        minutes=minutes,
        step_s=step_s,
        speed=speed,
        seed=seed,
        register=register,
        embedded=embedded,
    )
    text = json.dumps(result, ensure_ascii=False, indent=2)
    if report is not None:
        report.write_text(text + "\n", encoding="utf-8")
    typer.echo(text)


def register(app: typer.Typer) -> None:
    app.add_typer(hj212_app, name="hj212")
    app.add_typer(devices_app, name="devices")
    app.add_typer(restrictions_app, name="restrictions")
    app.add_typer(alarms_app, name="alarms")
    app.command("gateway")(gateway_command)
    app.command("simulate-devices")(simulate_devices_command)
