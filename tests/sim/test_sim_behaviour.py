"""The generative model's story lines are visible in the readings (regression checks on a simulated year)."""

from __future__ import annotations

import duckdb
import pytest


@pytest.fixture(scope="module")
def con(year_city):
    out, _ = year_city
    c = duckdb.connect()
    c.sql(f"CREATE VIEW r AS SELECT * FROM '{out}/readings_daily.parquet'")
    c.sql(f"CREATE VIEW t AS SELECT * FROM '{out}/truth/customers.parquet'")
    c.sql(f"CREATE VIEW w AS SELECT * FROM '{out}/weather.parquet'")
    c.sql(f"CREATE VIEW cl AS SELECT * FROM '{out}/closures.parquet'")
    return c


def one(con, sql: str) -> float:
    return con.sql(sql).fetchall()[0][0]


def test_households_follow_the_temperature(con):
    july = one(con, "SELECT avg(kwh) FROM r JOIN t USING (account_no) WHERE kind = 'household' AND month(date) = 7")
    march = one(con, "SELECT avg(kwh) FROM r JOIN t USING (account_no) WHERE kind = 'household' AND month(date) = 3")
    assert july > 1.3 * march


def test_spring_festival_dip_for_households_and_long_closure_for_workshops(con):
    def mean(kind_sql: str, lo: str, hi: str) -> float:
        return one(con, f"""SELECT avg(kwh) FROM r JOIN t USING (account_no)
                           WHERE {kind_sql} AND date BETWEEN DATE '{lo}' AND DATE '{hi}'""")

    hh = "kind = 'household'"
    assert mean(hh, "2026-02-15", "2026-02-24") < 0.85 * mean(hh, "2026-03-05", "2026-03-20")
    ws = "is_workshop AND patterns NOT LIKE '%sudden_start%' AND patterns NOT LIKE '%moved%'"
    assert mean(ws, "2026-02-14", "2026-02-24") < 0.3 * mean(ws, "2026-03-20", "2026-04-20")


def test_rain_burst_workshops_work_when_it_rains(con):
    rows = con.sql("""SELECT patterns LIKE '%rain_burst%' AS rain,
            avg(CASE WHEN precip_mm >= 10 THEN kwh END) / avg(CASE WHEN precip_mm < 1 THEN kwh END)
        FROM r JOIN t USING (account_no) JOIN w USING (date)
        WHERE is_workshop AND patterns NOT LIKE '%intermittent%' AND month(date) NOT IN (1, 2)
        GROUP BY 1""").fetchall()
    ratio = dict(rows)
    assert ratio[True] > 1.8
    assert 0.8 < ratio[False] < 1.25


def test_resurgent_sites_go_quiet_after_their_closure_then_resume(con):
    rows = con.sql("""SELECT account_no,
            avg(CASE WHEN date BETWEEN closed_on - 15 AND closed_on - 1 THEN kwh END) AS before,
            avg(CASE WHEN date BETWEEN closed_on + 1 AND closed_on + 15 THEN kwh END) AS after
        FROM r JOIN cl USING (account_no) JOIN t USING (account_no)
        WHERE patterns LIKE '%resurgent%' GROUP BY 1""").fetchall()
    assert rows
    for _, before, after in rows:
        assert after < 0.4 * before


def test_confounders_overlap_with_small_workshops(con):
    rows = dict(con.sql("""SELECT kind, quantile_cont(m, 0.9) FROM
        (SELECT account_no, avg(kwh) m FROM r GROUP BY 1) JOIN t USING (account_no) GROUP BY 1""").fetchall())
    small_ws = one(con, """SELECT quantile_cont(m, 0.2) FROM (SELECT account_no, avg(kwh) m FROM r GROUP BY 1)
        JOIN t USING (account_no) WHERE is_workshop""")
    assert small_ws < max(rows["hostel"], rows["household_large"], rows["household_ev"])
