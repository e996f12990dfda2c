"""Requests per landed partition, against the floor: ``make demo``'s nightly job, counted by purpose.

Runs the demo (the emulator, real Airflow, three daily runs whose lookback restates late days, the entity
snapshot), whose request log says what each request was for. The floor is what landing the same data
needs with nothing else: every partition version it wrote read once, page by page, the entity lists, and
one token. The demo prints ``requests_per_partition: requests=N floor=F ratio=R``.

    .venv/bin/python -m benchmarks.requests_per_partition
"""

from __future__ import annotations

import sys

from scripts import demo

if __name__ == "__main__":
    sys.exit(demo.main())
