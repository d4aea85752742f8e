"""Turn a chunk of text columns into typed rows and reasons, in SQL (DuckDB).

The SQL is generated from the contract (types, required columns) and the registered checks
(:mod:`gridwatch.lake.checks`), so adding a rule never touches this module.  Output of
:func:`judged_sql`: every contract column parsed, plus ``_row``, ``_field`` (first field blamed, NULL when
the row is valid) and ``_reason`` (all reasons, ``; ``-separated).
"""

from __future__ import annotations

from gridwatch.config import LakeSettings
from gridwatch.lake.checks import CHECKS, ENUMS
from gridwatch.lake.contracts import Column, Contract


def _q(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def raw_text(name: str) -> str:
    """The trimmed raw text of a column ('' counts as missing)."""
    return f"NULLIF(trim(r.{name}), '')"


PARSERS: dict[str, str] = {
    "text": "{x}",
    "float": "TRY_CAST(replace({x}, ',', '') AS DOUBLE)",
    "int": "CASE WHEN TRY_CAST({x} AS DOUBLE) = round(TRY_CAST({x} AS DOUBLE)) "
    "THEN CAST(TRY_CAST({x} AS DOUBLE) AS BIGINT) END",
    "date": "coalesce(TRY_CAST(replace({x}, '/', '-') AS DATE), "
    "CAST(TRY_CAST(replace({x}, '/', '-') AS TIMESTAMP) AS DATE), "
    "CAST(TRY_STRPTIME({x}, '%Y%m%d') AS DATE))",
    # naive text is local time; text with an explicit offset (+08:00, Z) is converted to the session time zone
    "timestamp": "CASE WHEN regexp_matches({x}, '([+-][0-9]{{2}}:?[0-9]{{2}}|Z)$') "
    "THEN CAST(TRY_CAST(replace({x}, '/', '-') AS TIMESTAMPTZ) AS TIMESTAMP) "
    "ELSE TRY_CAST(replace({x}, '/', '-') AS TIMESTAMP) END",
    "bool": "CASE WHEN lower({x}) IN ('true', 't', '1', 'yes', 'y', '是') THEN TRUE "
    "WHEN lower({x}) IN ('false', 'f', '0', 'no', 'n', '否') THEN FALSE END",
}
"""How text becomes each contract type (``{x}`` is the trimmed raw text)."""


def _parse(col: Column, present: set[str]) -> str:
    if col.name not in present:
        return "NULL"
    return PARSERS[col.type].format(x=raw_text(col.name))


def _enum_sql(table: str, col: str) -> str:
    mapping = ENUMS[(table, col)]
    whens = " ".join(f"WHEN {_q(k.lower())} THEN {_q(v)}" for k, v in mapping.items())
    return f"CASE lower(trim({col})) {whens} END"


def typed_sql(contract: Contract, present: set[str], customers_sql: str | None) -> str:
    """SELECT of parsed columns with context columns (_cap, _known, _interval, enum standards)."""
    cols = [f"{_parse(c, present)} AS {c.name}" for c in contract.columns]
    raws = [f"{raw_text(c.name) if c.name in present else 'NULL'} AS {c.name}__raw" for c in contract.columns]
    parsed = f"SELECT r._row, {', '.join(cols + raws)} FROM raw_chunk r"
    ctx = ["p.*"]
    joins = ""
    if contract.needs_known_account and customers_sql is not None:
        ctx += ["c.capacity_kva AS _cap", "c.account_no IS NOT NULL AS _known"]
        joins = f" LEFT JOIN ({customers_sql}) c ON c.account_no = p.account_no"
    elif contract.needs_known_account:
        ctx += ["CAST(NULL AS DOUBLE) AS _cap", "FALSE AS _known"]
    for (table, col), _ in ENUMS.items():
        if table == contract.name:
            ctx.append(f"{_enum_sql(table, col).replace(f'trim({col})', f'trim(p.{col})')} AS _{col}_std")
    sql = f"WITH p AS ({parsed}) SELECT {', '.join(ctx)} FROM p{joins}"
    if contract.name == "readings_interval":
        sql = _with_interval(sql)
    return sql


def _with_interval(inner: str) -> str:
    """Infer each account's interval where interval_min is absent, from the alignment of its timestamps.

    An account whose readings all start on the hour is hourly, on the half hour half-hourly, else
    15-minute; a timestamp aligned to none of them is rejected by the alignment check.  This is one
    aggregate per account (no sort), so it costs little on large chunks.
    """
    return f"""
    WITH t AS ({inner}),
    per_acc AS (
        SELECT account_no,
               CASE WHEN bool_and(minute(ts) = 0) THEN 60 WHEN bool_and(minute(ts) % 30 = 0) THEN 30 ELSE 15 END AS m
        FROM t WHERE ts IS NOT NULL AND account_no IS NOT NULL AND interval_min IS NULL
        GROUP BY account_no
    )
    SELECT t.*, coalesce(t.interval_min, per_acc.m, 15) AS _interval
    FROM t LEFT JOIN per_acc USING (account_no)
    """


def _generic_checks(contract: Contract) -> list[tuple[str, str, str]]:
    out: list[tuple[str, str, str]] = []
    for c in contract.columns:
        if c.required:
            out.append((c.name, f"{c.name}__raw IS NULL", _q(f"missing {c.name}")))
        out.append(
            (c.name, f"{c.name}__raw IS NOT NULL AND {c.name} IS NULL",
             _q(f"{c.name} is not a valid {c.type}: ") + f" || quote({c.name}__raw)")
        )
    if contract.needs_known_account:
        out.append(("account_no", "account_no IS NOT NULL AND NOT _known",
                    "'unknown account ' || quote(account_no) || ' (not in customers)'"))
    return out


def judged_sql(contract: Contract, settings: LakeSettings, typed_view: str) -> str:
    """SELECT over ``typed_view`` adding ``_field`` and ``_reason`` (NULL when the row is valid)."""
    params = {
        "max_daily_kwh": repr(float(settings.max_daily_kwh)),
        "overload": repr(float(settings.capacity_overload)),
        "future_days": str(int(settings.future_tolerance_days)),
    }
    checks = _generic_checks(contract) + [
        (ch.field, ch.condition.format(**params), ch.reason.format(**params)) for ch in CHECKS.get(contract.name, [])
    ]
    flags = ", ".join(f"coalesce({cond}, FALSE) AS _v{i}" for i, (_, cond, _) in enumerate(checks))
    any_bad = " OR ".join(f"_v{i}" for i in range(len(checks)))
    field_case = " ".join(f"WHEN _v{i} THEN {_q(field)}" for i, (field, _, _) in enumerate(checks))
    reasons = ", ".join(f"CASE WHEN _v{i} THEN {reason} END" for i, (_, _, reason) in enumerate(checks))
    # the reason text is built only for the (few) rows that break a rule
    return (
        f"SELECT * EXCLUDE ({', '.join(f'_v{i}' for i in range(len(checks)))}), "
        f"CASE WHEN {any_bad} THEN CASE {field_case} END END AS _field, "
        f"CASE WHEN {any_bad} THEN concat_ws('; ', {reasons}) END AS _reason "
        f"FROM (SELECT *, {flags} FROM {typed_view}) flagged"
    )


def output_columns(contract: Contract) -> list[str]:
    """The contract columns as they are stored (enums replaced by their standard word, derived values)."""
    out = []
    for c in contract.columns:
        if (contract.name, c.name) in ENUMS:
            out.append(f"_{c.name}_std AS {c.name}")
        elif contract.name == "readings_interval" and c.name == "interval_min":
            out.append("CAST(_interval AS BIGINT) AS interval_min")
        elif contract.name == "water" and c.name == "month_start":
            out.append("CAST(date_trunc('month', month_start) AS DATE) AS month_start")
        elif (contract.name, c.name) in (("permits", "uscc"), ("registry", "uscc")):
            out.append(f"upper({c.name}) AS {c.name}")
        else:
            out.append(c.name)
    return out
