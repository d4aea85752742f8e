"""The customer kinds and workshop trades of the simulated city (registries of specifications).

Every figure is a parameter of the generative model and is listed in docs/SIMULATOR.md.  Energies are
medians of log-normal distributions across customers; ``*_sigma`` are their log-standard deviations.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class KindSpec:
    name: str
    tariff: str
    share: float  # share of non-workshop customers [-]
    profile: str  # intraday shape of the base load (see profiles.py)
    base_kwh: float  # median daily base load [kWh/d]
    base_sigma: float
    ac_kwh_per_c: float = 0.0  # median air-conditioning energy per °C above the threshold [kWh/(°C·d)]
    ac_profile: str = "ac_home"
    heat_kwh_per_c: float = 0.0  # electric heating per °C below 16 °C [kWh/(°C·d)]
    ev_kwh: float = 0.0  # median energy of one EV charging session [kWh]
    ev_prob: float = 0.0  # probability of a charging session on a given night [-]
    work_kwh: float = 0.0  # median daily production / business energy [kWh/d]
    work_sigma: float = 0.8
    work_profile: str = "business_day"
    travel_prob: float = 0.0  # probability to be away (or closed) over Spring Festival [-]
    travel_days: tuple[int, int] = (10, 25)  # length of the absence [d]
    away_level: float = 0.15  # share of the base load left while away [-]
    weekly_closed_prob: float = 0.0  # probability of a fixed weekly closing day [-]
    capacity_kva: tuple[float, ...] = (4.0, 6.0, 8.0, 10.0)
    voltage: str = "220V"
    registered: float = 0.0  # probability that a business-registry entity stands behind the account [-]
    six_day_prob: float = 0.0  # probability of working Saturdays (六天工作制 / 大小周) [-]
    shifts3_prob: float = 0.0  # probability of round-the-clock three-shift production [-]


_BIG = (8.0, 10.0, 12.0, 16.0)
_SHOP = (10.0, 16.0, 20.0, 30.0)

# fmt: off
KINDS: tuple[KindSpec, ...] = (
    KindSpec("household", "residential", 0.595, "household_flat", 5.5, 0.45, 0.8, travel_prob=0.55),
    KindSpec("household_large", "residential", 0.06, "household_house", 12.0, 0.45, 1.6, travel_prob=0.35,
             capacity_kva=_BIG),
    KindSpec("household_ev", "residential", 0.03, "household_flat", 6.0, 0.4, 0.9, ev_kwh=14.0,
             ev_prob=0.45, travel_prob=0.45, capacity_kva=_BIG),
    KindSpec("household_home_office", "residential", 0.03, "household_flat", 5.0, 0.4, 0.9, work_kwh=6.0,
             work_sigma=0.6, work_profile="home_office", travel_prob=0.45),
    KindSpec("household_electric_heating", "residential", 0.02, "household_flat", 6.0, 0.4, 0.8,
             heat_kwh_per_c=1.2, travel_prob=0.4),
    KindSpec("vacant", "residential", 0.07, "household_flat", 0.35, 0.8, capacity_kva=(4.0, 6.0)),
    KindSpec("hostel", "residential", 0.025, "hostel", 28.0, 0.6, 3.0, travel_prob=0.6, away_level=0.5,
             travel_days=(15, 30), capacity_kva=(16.0, 20.0, 25.0, 32.0), voltage="380V"),
    KindSpec("shop", "commercial", 0.06, "shop", 25.0, 0.7, 2.0, ac_profile="ac_business", travel_prob=0.7,
             travel_days=(5, 15), away_level=0.1, weekly_closed_prob=0.3, capacity_kva=_SHOP, voltage="380V",
             registered=0.8),
    KindSpec("restaurant", "commercial", 0.025, "restaurant", 70.0, 0.6, 4.0, ac_profile="ac_business",
             travel_prob=0.5, travel_days=(5, 15), away_level=0.15, weekly_closed_prob=0.1,
             capacity_kva=(20.0, 30.0, 50.0, 80.0), voltage="380V", registered=0.9),
    KindSpec("office", "commercial", 0.02, "office", 60.0, 0.9, 5.0, ac_profile="ac_business",
             travel_prob=0.9, travel_days=(7, 10), away_level=0.3, capacity_kva=(30.0, 50.0, 100.0, 200.0),
             voltage="380V", registered=0.95),
    KindSpec("factory_permitted", "industrial", 0.006, "business_day", 25.0, 0.6, 3.0,
             ac_profile="ac_business", work_kwh=1200.0, work_sigma=1.0, travel_prob=0.9, travel_days=(10, 25),
             away_level=0.1, capacity_kva=(200.0, 315.0, 500.0, 630.0, 800.0, 1250.0), voltage="10kV",
             registered=1.0, six_day_prob=0.6, shifts3_prob=0.25),
    KindSpec("factory_unpermitted", "industrial", 0.004, "business_day", 15.0, 0.6, 2.0,
             ac_profile="ac_business", work_kwh=600.0, work_sigma=0.9, travel_prob=0.9, travel_days=(10, 25),
             away_level=0.1, capacity_kva=(100.0, 160.0, 200.0, 315.0, 500.0), voltage="10kV",
             registered=1.0, six_day_prob=0.7, shifts3_prob=0.25),
    KindSpec("farm", "agricultural", 0.01, "farm", 15.0, 0.9, capacity_kva=(10.0, 20.0, 30.0),
             voltage="380V"),
    KindSpec("public", "other", 0.005, "public", 20.0, 0.8, capacity_kva=(10.0, 20.0, 50.0), voltage="380V"),
)
# fmt: on
"""Non-workshop kinds; shares are renormalised to sum 1."""

WORKSHOP_KIND = "workshop"
KIND_NAMES: tuple[str, ...] = (*(k.name for k in KINDS), WORKSHOP_KIND)


@dataclass(frozen=True)
class TradeSpec:
    name: str
    label: str  # Chinese trade word used in company names and field notes
    share: float  # share among hidden workshops [-]
    profile: str  # intraday production shape (VDI 4657-derived or synthetic)
    work_kwh: float  # median daily production energy of a hidden workshop [kWh/d]
    work_sigma: float
    night_shift_prob: float
    all_week_prob: float
    rain_burst_prob: float
    duty: tuple[float, float]  # share of working quarter-hours with machines on [-]
    cycle_slots: tuple[int, int]  # machine on/off run length, in quarter-hours
    water_m3_per_kwh: float  # water use per kWh of production [m³/kWh]
    industry_code: str  # GB/T 4754-2017 class
    factory_share: float  # share of this trade among permitted and unpermitted factories [-]


# fmt: off
TRADES: tuple[TradeSpec, ...] = (
    # name, label, share, profile, kWh/d, sigma, p(night), p(all week), p(rain), duty, cycle,
    # m³/kWh, GB/T 4754 class, share among factories
    TradeSpec("wood", "木制品", 0.15, "wood", 35.0, 0.9, 0.10, 0.30, 0.05, (0.45, 0.8), (1, 4),
              0.002, "2110", 0.15),
    TradeSpec("metal", "五金", 0.20, "metal", 40.0, 0.9, 0.25, 0.35, 0.05, (0.5, 0.85), (1, 3),
              0.01, "3389", 0.30),
    TradeSpec("electroplating", "电镀", 0.12, "electroplating", 80.0, 0.8, 0.45, 0.50, 0.50, (0.8, 0.95),
              (4, 8), 0.08, "3360", 0.10),
    TradeSpec("plastics", "塑料制品", 0.15, "continuous", 60.0, 0.9, 0.40, 0.50, 0.05, (0.85, 0.97), (4, 8),
              0.005, "2929", 0.20),
    TradeSpec("printing", "印刷", 0.13, "business_day", 30.0, 0.9, 0.30, 0.30, 0.25, (0.6, 0.9), (2, 6),
              0.02, "2319", 0.10),
    TradeSpec("garment", "制衣", 0.25, "business_day", 20.0, 0.9, 0.15, 0.60, 0.02, (0.7, 0.9), (1, 3),
              0.004, "1810", 0.15),
)
# fmt: on
"""Hidden-workshop trades.  Rain-time bursts (雨天偷排) are most likely for electroplating (untreated
wastewater let into storm drains when it rains) and printing (ink and wash water); see docs/SIMULATOR.md."""

TRADE_NAMES: tuple[str, ...] = tuple(t.name for t in TRADES)

P_INTERMITTENT = 0.3
"""Share of hidden workshops that work order-driven: production on runs of days, idle between."""
INTERMITTENT_ON_SHARE = (0.3, 0.7)
"""Range of the share of days an intermittent workshop works [-]."""
