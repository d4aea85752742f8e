"""The simulated city: gridwatch's embedded default data (see docs/SIMULATOR.md).

``gridwatch simulate`` writes customers, readings, water, permits, registry, addresses, weather, closures,
labels and sub-meters in the lake contracts, plus the ground truth in ``truth/``.  Entry point:
:func:`gridwatch.sim.city.simulate` with :class:`gridwatch.sim.params.SimParams`.
"""
