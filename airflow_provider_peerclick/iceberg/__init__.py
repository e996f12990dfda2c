"""Landing PeerClick reports in Apache Iceberg tables (the ``iceberg`` extra): one snapshot commit per
account day, which every Iceberg reader (Spark, Trino, DuckDB, pyiceberg) sees whole or not at all."""
