"""Alarm detectors (a registry): each module registers one detector with :func:`base.register`.

| name | model (BRIEF §3) | condition |
|---|---|---|
| ``treatment_off`` | (9) | treatment facility off while its production line runs |
| ``ratio_low`` | (10) | treatment/production power ratio below the pair's learned normal band |
| ``offline`` | (11) | no frame from the monitor for a while (wall clock) |
| ``data_gap`` | (11) | a jump in DataTime between consecutive frames |
| ``flatline`` | (11) | the same non-zero power frame after frame (tampering) |
| ``implausible`` | (11) | negative power, power far above rating, kWh counter going backwards |
| ``restriction`` | (12) | production above the allowed level during a declared stop/limit period |
"""

from __future__ import annotations

import importlib

BUILTIN = (
    "gridwatch.monitoring.detectors.treatment_off",
    "gridwatch.monitoring.detectors.ratio_low",
    "gridwatch.monitoring.detectors.silence",
    "gridwatch.monitoring.detectors.tampering",
    "gridwatch.monitoring.detectors.restriction",
)


def load_builtin() -> None:
    for name in BUILTIN:
        importlib.import_module(name)
