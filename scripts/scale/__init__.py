"""`make scale`: a backfill on a real distributed Airflow against the PeerClick emulator, with its numbers."""
