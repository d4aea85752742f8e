"""The complete feature table of a run: the main feature passes, then the curve and entity-link passes.

``compute_features`` (:mod:`gridwatch.screening.features`) gives the per-customer and peer features;
:mod:`gridwatch.screening.extra_sql` adds EV-charging and household-shape signatures from interval data
(per range bucket of accounts, like pass 1) and replaces the exact permit/registry joins by exact join
OR entity link.  The curve pass runs first: the EV charging it identifies corrects the Spring Festival
ratios before the peer pass (:func:`gridwatch.screening.extra_sql.ev_adjusted_sql`; ``compute_features``
registers it as ``gw_curve``, which the final join reads too).  Every step is SQL on the same engine, so
DuckDB and Spark give the same table.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa

from gridwatch.config import ScreeningSettings
from gridwatch.lake.layout import has_data
from gridwatch.screening.extra_sql import (
    EMPTY_CURVE,
    combine_sql,
    curve_features_sql,
    curve_reference_sql,
    link_features_sql,
)
from gridwatch.screening.features import (
    compute_features,
    concat_parts,
    curve_bucket_count,
    customer_buckets,
    key_column,
    register_inputs,
)
from gridwatch.screening.window import Window

if TYPE_CHECKING:
    from gridwatch.engine.base import Engine

LINK_KEYS = ("account_no", "permit_no", "uscc")


def link_table(links: pa.Table | None) -> pa.Table:
    """The columns of the entity links the link pass reads (an empty table when there are none)."""
    if links is None or links.num_rows == 0:
        return pa.table({k: pa.array([], pa.string()) for k in LINK_KEYS})
    return pa.table({k: links.column(k).cast(pa.string()) for k in LINK_KEYS})


def curve_table(engine: Engine, lake_dir: Path, window: Window, s: ScreeningSettings) -> pa.Table:
    """The curve pass per range bucket of accounts (as pass 1): first every bucket's part of the mean
    residential profile, registered as ``gw_curve_ref``, then every bucket's accounts against it."""
    if not has_data(lake_dir, "readings_interval"):
        return EMPTY_CURVE.empty_table()
    k = key_column(engine, lake_dir)
    buckets = customer_buckets(engine, curve_bucket_count(engine, lake_dir, window, s), k)
    engine.register_arrow("gw_curve_ref", concat_parts([engine.sql(curve_reference_sql(window, b, k)) for b in buckets]))
    return concat_parts([engine.sql(curve_features_sql(window, b, k)) for b in buckets])


def feature_table(
    engine: Engine, lake_dir: Path, window: Window, s: ScreeningSettings, links: pa.Table | None = None
) -> pa.Table:
    """One row per customer: every column of :mod:`gridwatch.screening.feature_catalog`."""
    register_inputs(engine, window)
    curve = curve_table(engine, lake_dir, window, s)  # first: its EV charging corrects the festival ratios
    base = compute_features(engine, lake_dir, window, s, curve)
    engine.register_arrow("gw_base", base)
    engine.register_arrow("gw_links", link_table(links))
    engine.register_arrow("gw_link", engine.sql(link_features_sql(window)))
    return engine.sql(combine_sql(list(base.column_names)))
