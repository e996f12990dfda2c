"""The seeded universe of campaigns, offers, traffic sources and countries that reports are made of.

Every attribute is a pure function of (seed, id), so two emulators with the same seed agree on everything.
"""

from __future__ import annotations

from typing import Any

from peerclick_emulator.hashing import hash_of, pick

COUNTRIES: tuple[tuple[str, str], ...] = (
    ("US", "United States"),
    ("GB", "United Kingdom"),
    ("DE", "Germany"),
    ("FR", "France"),
    ("BR", "Brazil"),
    ("IN", "India"),
    ("JP", "Japan"),
    ("CA", "Canada"),
    ("AU", "Australia"),
    ("MX", "Mexico"),
    ("PL", "Poland"),
    ("ES", "Spain"),
)
TRAFFIC_SOURCES: tuple[str, ...] = (
    "Native Ads Network",
    "Push Traffic",
    "Pop Exchange",
    "Search Partners",
    "Social Boost",
    "Email Lists",
)
WORKSPACE_ID = 1
TRACKING_DOMAIN = "track.example"

# Hash domains, so that e.g. a campaign's country and its traffic source are independent draws.
_TAG_TRAFFIC_SOURCE, _TAG_COUNTRY, _TAG_PROFILE, _TAG_PAYOUT, _TAG_OFFER_COUNTRY, TAG_FACTS = range(1, 7)


class Catalog:
    """Ids are 1-based; per-id lists keep index 0 unused so lookups stay plain indexing in hot loops."""

    def __init__(self, seed: int, campaign_count: int) -> None:
        self.seed = seed
        self.campaign_count = campaign_count
        self.offer_count = max(1, (campaign_count + 1) // 2)
        campaigns = range(campaign_count + 1)
        offers = range(self.offer_count + 1)
        self.campaign_offer = [(c - 1) % self.offer_count + 1 for c in campaigns]
        self.campaign_source = [
            self._draw(_TAG_TRAFFIC_SOURCE, c, 1, len(TRAFFIC_SOURCES)) for c in campaigns
        ]
        self.campaign_country = [self._draw(_TAG_COUNTRY, c, 0, len(COUNTRIES) - 1) for c in campaigns]
        self.offer_country = [self._draw(_TAG_OFFER_COUNTRY, o, 0, len(COUNTRIES) - 1) for o in offers]
        self.offer_payout_cents = [self._draw(_TAG_PAYOUT, o, 50, 2500) for o in offers]
        profiles = [hash_of(seed, _TAG_PROFILE, c) for c in campaigns]
        # Squaring gives a long tail: many small campaigns, a few big ones, some with no traffic at all.
        self.base_visits = [pick(p, 0, 999) ** 2 // 2500 for p in profiles]
        self.ctr_permille = [pick(p >> 10, 300, 900) for p in profiles]
        self.cr_per10k = [pick(p >> 20, 10, 800) for p in profiles]
        self.cpv_tenth_cents = [pick(p >> 30, 20, 300) for p in profiles]

    def _draw(self, tag: int, entity: int, low: int, high: int) -> int:
        return pick(hash_of(self.seed, tag, entity), low, high)

    def campaign_name(self, campaign: int) -> str:
        code = COUNTRIES[self.campaign_country[campaign]][0]
        return f"Campaign {campaign} - {code} - {self.source_name(self.campaign_source[campaign])}"

    def offer_name(self, offer: int) -> str:
        return f"Offer {offer} - {COUNTRIES[self.offer_country[offer]][0]}"

    @staticmethod
    def source_name(source: int) -> str:
        return TRAFFIC_SOURCES[source - 1]

    def campaign_entity(self, campaign: int) -> dict[str, Any]:
        """The API representation of a seeded campaign."""
        return {
            "id": campaign,
            "name": self.campaign_name(campaign),
            "workspaceId": WORKSPACE_ID,
            "url": f"https://{TRACKING_DOMAIN}/{campaign}",
            "status": "ACTIVE",
            "trafficSource": {"id": self.campaign_source[campaign]},
            "costModel": {"type": "CPV", "currency": "USD"},
            "country": {"code": COUNTRIES[self.campaign_country[campaign]][0]},
            "domain": TRACKING_DOMAIN,
            "tags": [],
            "redirectTarget": {
                "destination": "PATH",
                "path": {
                    "defaultPaths": [
                        {
                            "weight": 100,
                            "direct": False,
                            "offers": [{"weight": 100, "id": self.campaign_offer[campaign]}],
                        }
                    ]
                },
            },
        }

    def offer_entity(self, offer: int) -> dict[str, Any]:
        """The API representation of a seeded offer."""
        return {
            "id": offer,
            "name": self.offer_name(offer),
            "workspaceId": WORKSPACE_ID,
            "url": f"https://offers.example/{offer}?click={{clickid}}",
            "status": "ACTIVE",
            "country": {"code": COUNTRIES[self.offer_country[offer]][0]},
            "affiliateNetwork": {"id": 1},
            "payout": {"type": "FIXED", "value": self.offer_payout_cents[offer] / 100, "currency": "USD"},
        }
