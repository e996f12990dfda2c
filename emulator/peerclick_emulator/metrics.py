"""Report metric columns: how each is computed from summed counts, rounded and described."""

from __future__ import annotations

from dataclasses import dataclass

from peerclick_emulator.reportdata import Counts

MONEY_PLACES = 2
RATIO_PLACES = 4


@dataclass(frozen=True)
class Ratio:
    numerator: str
    denominator: str
    scale: int
    label: str
    kind: str


ADDITIVE_LABELS = {
    "visits": ("Visits", "integer"),
    "clicks": ("Clicks", "integer"),
    "conversions": ("Conversions", "integer"),
    "revenue": ("Revenue", "money"),
    "cost": ("Cost", "money"),
    "profit": ("Profit", "money"),
}
RATIOS = {
    "cr": Ratio("conversions", "clicks", 100, "CR", "percentage"),
    "epc": Ratio("revenue", "clicks", 1, "EPC", "money"),
    "cpv": Ratio("cost", "visits", 1, "CPV", "money"),
    "cpc": Ratio("cost", "clicks", 1, "CPC", "money"),
    "ctr": Ratio("clicks", "visits", 100, "CTR", "percentage"),
    "roi": Ratio("profit", "cost", 100, "ROI", "percentage"),
}
METRICS: tuple[str, ...] = (*ADDITIVE_LABELS, *RATIOS)


def exact_values(counts: Counts) -> dict[str, float]:
    """Additive values in API units (money in currency, not cents), before any rounding."""
    visits, clicks, conversions, revenue_cents, cost_cents = counts
    return {
        "visits": visits,
        "clicks": clicks,
        "conversions": conversions,
        "revenue": revenue_cents / 100,
        "cost": cost_cents / 100,
        "profit": (revenue_cents - cost_cents) / 100,
    }


def ratio_value(ratio: Ratio, values: dict[str, float]) -> float:
    denominator = values[ratio.denominator]
    if not denominator:
        return 0
    return round(values[ratio.numerator] / denominator * ratio.scale, RATIO_PLACES)


def metric_values(counts: Counts, columns: tuple[str, ...]) -> dict[str, float]:
    """The requested metrics of one row or of the totals; ratios come from the summed inputs."""
    values = exact_values(counts)
    return {name: ratio_value(RATIOS[name], values) if name in RATIOS else values[name] for name in columns}


def metric_mapping(name: str) -> dict[str, str]:
    label, kind = (RATIOS[name].label, RATIOS[name].kind) if name in RATIOS else ADDITIVE_LABELS[name]
    return {"key": name, "label": label, "type": kind}
