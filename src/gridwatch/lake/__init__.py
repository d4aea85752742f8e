"""The data lake: documented input contracts, validation, and partitioned Parquet storage."""
