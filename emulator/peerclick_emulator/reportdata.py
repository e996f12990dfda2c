"""Hourly report facts, generated on demand from hashes and summed over the requested range.

A fact is one (campaign, hour) pair. Its numbers come from hashing (seed, campaign, hour start), never from
a shared RNG, so any range, past or future, yields the same numbers every time. Money stays in integer
cents so sums are exact.

With late conversions on (``late_days`` > 0), a fact's conversions, and so its revenue, arrive over the
days after its own: PeerClick attributes a conversion to the click's day, and postbacks come hours or days
later. What a report shows then depends on the emulator's clock, in whole UTC days (``today``), so numbers
only change at UTC midnight and never while a report is being paged.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from peerclick_emulator.catalog import TAG_FACTS, Catalog
from peerclick_emulator.hashing import MASK64, MIX1, MIX2, hash_of

# (visits, clicks, conversions, revenue_cents, cost_cents)
Counts = tuple[int, int, int, int, int]
ZERO: Counts = (0, 0, 0, 0, 0)
HOUR = 3600
DAY = 86400
# A campaign's share of conversions that arrives late, in percent: some offers pay back slowly.
_LATE_SHARE = (20, 60)

# Share of a campaign's base traffic by UTC hour, in percent: quiet nights, busy evenings.
_HOURLY_CURVE = (
    40,
    30,
    25,
    20,
    20,
    25,
    35,
    50,
    65,
    75,
    85,
    90,
    95,
    95,
    95,
    100,
    105,
    110,
    120,
    130,
    135,
    125,
    95,
    65,
)


@dataclass(frozen=True)
class HourSlot:
    """One hour of the range: its UTC start and its labels in the report time zone."""

    start: int
    day: str
    hour_of_day: int


def hour_slots(start: int, end: int, tz: ZoneInfo) -> list[HourSlot]:
    """Hours from `start` (inclusive) to `end` (exclusive), epoch seconds."""
    slots = []
    for instant in range(start, end, HOUR):
        local = datetime.fromtimestamp(instant, tz)
        slots.append(HourSlot(instant, local.strftime("%Y-%m-%d"), local.hour))
    return slots


def add(left: Counts, right: Counts) -> Counts:
    return (
        left[0] + right[0],
        left[1] + right[1],
        left[2] + right[2],
        left[3] + right[3],
        left[4] + right[4],
    )


# (hash of the slot, UTC hour of day, days until every late conversion of the slot has arrived)
SlotKey = tuple[int, int, int]


class FactSource:
    """Generates facts for one catalog; ``late_days`` > 0 makes conversions arrive over that many days."""

    def __init__(self, catalog: Catalog, late_days: int = 0) -> None:
        self.catalog = catalog
        self.late_days = late_days
        self._campaign_keys = [hash_of(catalog.seed, TAG_FACTS, c) for c in range(catalog.campaign_count + 1)]
        self._late_share = [
            _LATE_SHARE[0] + key % (_LATE_SHARE[1] - _LATE_SHARE[0] + 1) for key in self._campaign_keys
        ]

    def _slot_keys(self, slots: list[HourSlot], today: int | None) -> list[SlotKey]:
        # Keyed by the start minute, so time zones with half-hour offsets still get their own hours.
        return [
            (
                hash_of(self.catalog.seed, TAG_FACTS, slot.start // 60),
                (slot.start // HOUR) % 24,
                self._pending_days(slot, today),
            )
            for slot in slots
        ]

    def _pending_days(self, slot: HourSlot, today: int | None) -> int:
        """Days of late conversions still to come for ``slot``, seen on UTC day ``today``."""
        if not self.late_days or today is None:
            return 0
        age = today - slot.start // DAY
        return min(self.late_days, max(0, self.late_days - age))

    def campaign_facts(self, campaign: int, slot_keys: list[SlotKey]) -> list[Counts]:
        """One campaign's facts per slot, in slot order."""
        cat = self.catalog
        base = cat.base_visits[campaign]
        if not base:
            return [ZERO] * len(slot_keys)
        ctr, cr, cpv = cat.ctr_permille[campaign], cat.cr_per10k[campaign], cat.cpv_tenth_cents[campaign]
        payout = cat.offer_payout_cents[cat.campaign_offer[campaign]]
        key = self._campaign_keys[campaign]
        late_share, late_days = self._late_share[campaign], self.late_days
        facts = []
        for slot_key, utc_hour, pending in slot_keys:
            # splitmix64 inlined: this loop runs millions of times for big reports.
            x = key ^ slot_key
            x = ((x ^ (x >> 30)) * MIX1) & MASK64
            x = ((x ^ (x >> 27)) * MIX2) & MASK64
            x ^= x >> 31
            visits = base * _HOURLY_CURVE[utc_hour] * (64 + (x & 127)) // 12800
            # The added remainders are < the divisor, so clicks <= visits and conversions <= clicks.
            clicks = (visits * ctr + (x >> 8) % 1000) // 1000
            conversions = (clicks * cr + (x >> 20) % 10000) // 10000
            if pending:
                # The late share arrives in equal parts on each of the days after the click's day.
                conversions -= conversions * late_share // 100 * pending // late_days
            cost = (visits * cpv + (x >> 34) % 10) // 10
            facts.append((visits, clicks, conversions, conversions * payout, cost))
        return facts

    def by_campaign(
        self, campaigns: list[int], slots: list[HourSlot], today: int | None = None
    ) -> dict[int, Counts]:
        """Sums over the slots, per campaign with traffic, as seen on UTC day ``today``."""
        slot_keys = self._slot_keys(slots, today)
        totals: dict[int, Counts] = {}
        if not slot_keys:
            return totals
        for campaign in campaigns:
            visits, clicks, conversions, revenue, cost = map(
                sum, zip(*self.campaign_facts(campaign, slot_keys), strict=True)
            )
            if visits:
                totals[campaign] = (visits, clicks, conversions, revenue, cost)
        return totals

    def by_slot(self, campaigns: list[int], slots: list[HourSlot], today: int | None = None) -> list[Counts]:
        """Sums over the campaigns, per slot (slot order), as seen on UTC day ``today``."""
        slot_keys = self._slot_keys(slots, today)
        totals = [ZERO] * len(slots)
        for campaign in campaigns:
            if self.catalog.base_visits[campaign]:
                totals = [
                    add(total, fact)
                    for total, fact in zip(totals, self.campaign_facts(campaign, slot_keys), strict=True)
                ]
        return totals
