"""Arrow schemas of the simulator's output files: the lake contracts' columns, in contract order."""

from __future__ import annotations

import pyarrow as pa

from gridwatch.lake.contracts import CONTRACTS, Contract

_ARROW = {
    "text": pa.string(),
    "int": pa.int64(),
    "float": pa.float64(),
    "date": pa.date32(),
    "timestamp": pa.timestamp("s"),
    "bool": pa.bool_(),
}


def contract_schema(contract: Contract) -> pa.Schema:
    return pa.schema([pa.field(c.name, _ARROW[c.type]) for c in contract.columns])


SUBMETERS = pa.schema(
    [
        ("enterprise_id", pa.string()),
        ("enterprise_name", pa.string()),
        ("account_no", pa.string()),
        ("mn", pa.string()),
        ("password", pa.string()),
        ("channel_id", pa.string()),
        ("facility_kind", pa.string()),
        ("pairs_with", pa.string()),
        ("rated_kw", pa.float64()),
        ("scenario", pa.string()),
    ]
)
"""Sub-metered factories (分表计电) for the HJ 212 monitoring capability."""

TRUTH_CUSTOMERS = pa.schema(
    [
        ("account_no", pa.string()),
        ("kind", pa.string()),
        ("is_workshop", pa.bool_()),
        ("trade", pa.string()),
        ("patterns", pa.string()),
        ("active_from", pa.date32()),
        ("active_to", pa.date32()),
        ("address_id", pa.string()),
        ("address_noise", pa.string()),
        ("related_account", pa.string()),
        ("community_code", pa.string()),
    ]
)

TRUTH_LINKS = pa.schema(
    [("source", pa.string()), ("key", pa.string()), ("account_no", pa.string()), ("address_id", pa.string()),
     ("address_noise", pa.string())]
)
"""Which account and standard address each water account, registry entry and permit stands for."""

SCHEMAS: dict[str, pa.Schema] = {
    **{name: contract_schema(c) for name, c in CONTRACTS.items()},
    "submeters": SUBMETERS,
    "truth_customers": TRUTH_CUSTOMERS,
    "truth_links": TRUTH_LINKS,
}


def conform(name: str, table: pa.Table) -> pa.Table:
    """Select and cast ``table`` to the schema of output ``name`` (column order and types exact)."""
    schema = SCHEMAS[name]
    cols = []
    for field in schema:
        col = table.column(field.name)
        if pa.types.is_dictionary(col.type):
            cols.append(col)  # decoded by the writer; keeps memory low until then
        else:
            cols.append(col.cast(field.type) if col.type != field.type else col)
    return pa.table(cols, names=schema.names)
