"""Landing PeerClick reports in SQL tables: one transaction per account day, through Airflow's common.sql."""
