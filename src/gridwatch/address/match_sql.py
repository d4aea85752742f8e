"""The matching computation, written once as SQL (DuckDB dialect; engines transpile it).

Inputs (views): ``cust`` (one row per distinct customer address: ``akey`` plus component keys ``district,
town, community, road, roadno, poi, building, unit, room``) and ``reg`` (the registry with the same key
columns, plus ``address_id``, codes, grid cell and coordinates).

1. **Blocking** — candidate pairs from several rules (union): same road and number; same POI (and
   building when given); same community and number; same road and building in one district.
2. **Scoring** — each component the registry row has carries a weight; names (road, POI) weigh by rarity
   (term-frequency weighting: a road that appears in few registry rows says more), and POI names (and a
   road text not found in the registry) compare fuzzily with ``name_sim`` (RapidFuzz, registered on each
   engine by :mod:`gridwatch.address.udf`); numbers must agree exactly.  ``score = agreeing weight / registry weight``,
   halved when any number the customer gives contradicts the registry; admin levels count when both sides
   name them, and a contradicting district or town halves the score too.  A number the customer gives that
   the registry row lacks adds ``UNEXPLAINED_SHARE`` of the largest such weight to the denominator, so the
   row of the room (30号303房) beats the row of its door plate (30号) for "30号303房", while a registry kept
   at door-plate level still matches.
3. **Ranking** — the top ``k`` candidates per address with the margin to the runner-up.
"""

from __future__ import annotations

from dataclasses import dataclass

WEIGHTS: dict[str, float] = {
    "district": 0.5,
    "town": 0.5,
    "community": 0.5,
    "road": 2.0,
    "roadno": 2.0,
    "poi": 1.5,
    "building": 1.5,
    "unit": 1.0,
    "room": 1.5,
}
"""Base weight of each component's agreement (names are further scaled by their rarity)."""

NUMBER_FIELDS = ("roadno", "building", "unit", "room")
UNEXPLAINED_SHARE = 0.5
"""Share of the weight of a customer's number that the registry row lacks, added to the denominator."""

BLOCKING_RULES: dict[str, str] = {
    "road_number": "c.road = r.road AND c.roadno = r.roadno",
    "poi_building": "c.poi = r.poi AND (c.building IS NULL OR c.building = r.building OR r.building IS NULL) "
    "AND (c.district IS NULL OR c.district = r.district) AND (c.roadno IS NULL OR c.roadno = r.roadno)",
    "community_number": "c.community = r.community AND c.roadno = r.roadno",
    "road_building": "c.road = r.road AND c.district = r.district AND c.building = r.building",
    "town_number": "c.road IS NULL AND c.town = r.town AND c.roadno = r.roadno",
}
"""Blocking rules (splink style): a pair is compared when any rule holds."""


@dataclass(frozen=True)
class MatchSQL:
    """SQL of the matching steps, parameterised by the candidates kept."""

    max_candidates: int = 3

    def tf(self) -> str:
        """Rarity weights of road and POI names in the registry: 1 for a name in one row, falling
        logarithmically to 0.5 for the most common one."""
        return """
        CREATE OR REPLACE TEMP VIEW tf AS
        WITH names AS (
            SELECT 'road' AS kind, road AS name, count(*) AS n FROM reg WHERE road IS NOT NULL GROUP BY road
            UNION ALL
            SELECT 'poi' AS kind, poi AS name, count(*) AS n FROM reg WHERE poi IS NOT NULL GROUP BY poi
        ), mx AS (SELECT kind, max(n) AS nmax FROM names GROUP BY kind)
        SELECT names.kind, names.name,
               1.0 - 0.5 * ln(names.n) / greatest(ln(mx.nmax), 1.0) AS w
        FROM names JOIN mx ON names.kind = mx.kind
        """

    def pairs(self) -> str:
        parts = [
            f"SELECT c.akey, r.address_id FROM cust c JOIN reg r ON {cond}"
            for cond in BLOCKING_RULES.values()
        ]
        return (
            "CREATE OR REPLACE TEMP VIEW pairs AS SELECT DISTINCT akey, address_id FROM (\n"
            + "\nUNION ALL\n".join(parts)
            + "\n) u"
        )

    def scored(self) -> str:
        w = WEIGHTS

        def num(f: str) -> str:
            return f"CASE WHEN r.{f} IS NULL THEN 0.0 WHEN c.{f} = r.{f} THEN {w[f]} ELSE 0.0 END"

        def num_den(f: str) -> str:
            return f"CASE WHEN r.{f} IS NULL THEN 0.0 ELSE {w[f]} END"

        def adm(f: str) -> str:
            return f"CASE WHEN c.{f} IS NOT NULL AND r.{f} IS NOT NULL AND c.{f} = r.{f} THEN {w[f]} ELSE 0.0 END"

        def adm_den(f: str) -> str:
            return f"CASE WHEN c.{f} IS NOT NULL AND r.{f} IS NOT NULL THEN {w[f]} ELSE 0.0 END"

        road_sim = (
            "CASE WHEN c.road = r.road THEN 1.0 WHEN c.road_raw IS NULL OR r.road IS NULL THEN 0.0 ELSE "
            "greatest(name_sim(c.road_raw, r.road) - 0.1, 0.0) END"
        )
        poi_sim = (
            "CASE WHEN c.poi IS NULL OR r.poi IS NULL THEN 0.0 WHEN c.poi = r.poi THEN 1.0 "
            "ELSE name_sim(c.poi, r.poi) END"
        )
        agree = " + ".join(
            [
                *(adm(f) for f in ("district", "town", "community")),
                f"CASE WHEN r.road IS NOT NULL THEN {w['road']} * coalesce(tr.w, 1.0) * ({road_sim}) ELSE 0.0 END",
                f"CASE WHEN r.poi IS NOT NULL THEN {w['poi']} * coalesce(tp.w, 1.0) * ({poi_sim}) ELSE 0.0 END",
                *(num(f) for f in NUMBER_FIELDS),
            ]
        )
        den = " + ".join(
            [
                *(adm_den(f) for f in ("district", "town", "community")),
                f"CASE WHEN r.road IS NOT NULL THEN {w['road']} * coalesce(tr.w, 1.0) ELSE 0.0 END",
                f"CASE WHEN r.poi IS NOT NULL THEN {w['poi']} * coalesce(tp.w, 1.0) ELSE 0.0 END",
                *(num_den(f) for f in NUMBER_FIELDS),
                f"{UNEXPLAINED_SHARE} * greatest("
                + ", ".join(f"CASE WHEN c.{f} IS NOT NULL AND r.{f} IS NULL THEN {w[f]} ELSE 0.0 END"
                            for f in NUMBER_FIELDS)
                + ")",
            ]
        )
        conflict = " OR ".join(
            [
                f"(c.{f} IS NOT NULL AND r.{f} IS NOT NULL AND c.{f} <> r.{f})"
                for f in (*NUMBER_FIELDS, "district", "town")
            ]
        )
        evidence = ", ".join(
            [
                f"CASE WHEN c.{f} IS NOT NULL AND c.{f} = r.{f} THEN '{f}' END"
                for f in ("district", "town", "community", "road", "poi", *NUMBER_FIELDS)
            ]
        )
        conflicts = ", ".join(
            [
                f"CASE WHEN c.{f} IS NOT NULL AND r.{f} IS NOT NULL AND c.{f} <> r.{f} THEN '{f}' END"
                for f in ("district", "town", "community", "road", "poi", *NUMBER_FIELDS)
            ]
        )
        return f"""
        CREATE OR REPLACE TEMP VIEW scored AS
        SELECT p.akey, r.address_id,
               (({agree}) / greatest({den}, 0.001)) * (CASE WHEN {conflict} THEN 0.5 ELSE 1.0 END) AS score,
               concat_ws(',', {evidence}) AS agree_list,
               concat_ws(',', {conflicts}) AS conflict_list
        FROM pairs p
        JOIN cust c ON c.akey = p.akey
        JOIN reg r ON r.address_id = p.address_id
        LEFT JOIN tf tr ON tr.kind = 'road' AND tr.name = r.road
        LEFT JOIN tf tp ON tp.kind = 'poi' AND tp.name = r.poi
        """

    def ranked(self) -> str:
        return f"""
        SELECT akey, address_id, score, agree_list, conflict_list, rk,
               score - coalesce(second, 0.0) AS margin
        FROM (
            SELECT akey, address_id, score, agree_list, conflict_list,
                   row_number() OVER (PARTITION BY akey ORDER BY score DESC, address_id) AS rk,
                   max(CASE WHEN rn2 = 2 THEN score END) OVER (PARTITION BY akey) AS second
            FROM (
                SELECT *, row_number() OVER (PARTITION BY akey ORDER BY score DESC, address_id) AS rn2
                FROM scored
            ) s1
        ) s2
        WHERE rk <= {int(self.max_candidates)}
        """
