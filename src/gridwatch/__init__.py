"""gridwatch: power data against scattered, disorderly, polluting workshops (散乱污)."""

__version__ = "0.1.0"
