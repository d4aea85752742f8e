"""Real-time monitoring of pollution-control equipment (治污设施) over HJ 212-2017, with graded alarms.

Sub-packages and modules:

- :mod:`gridwatch.monitoring.hj212` — the HJ 212-2017 codec (pure, no I/O).
- :mod:`gridwatch.monitoring.tables` — device registry, readings, alarms, restriction periods.
- :mod:`gridwatch.monitoring.gateway` — the asyncio TCP gateway devices talk to.
- :mod:`gridwatch.monitoring.detectors` — the alarm detectors (a registry).
"""
