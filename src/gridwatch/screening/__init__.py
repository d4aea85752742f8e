"""Screening: load-curve features (SQL on DuckDB or Spark), named models, health-code rules, scores,
reasons and evaluation.  See docs/SCREENING.md."""
