"""A handful of suppliers: the same relationship lens from the buyer's side (P18, P19)."""

from __future__ import annotations

from aftersale.accounts.models import AccountKind, Industry, Tier
from aftersale.demo.buying import build_buying
from aftersale.demo.storykit import StoryKit

SUPPLIERS = (
    # external ID, name, city, trust (theirs of us, ours of them), share of price talk
    ("DEMO-S-01", "Công ty TNHH Thủy lực Việt Nhật", "Bắc Ninh", (4.5, 4.75), 0.15),
    ("DEMO-S-02", "Pacific Steel Supply Co., Ltd.", "Hải Phòng", (2.5, 2.25), 0.6),
    ("DEMO-S-03", "Công ty CP Điện tử Sao Việt", "Hà Nội", (3.75, 3.5), 0.3),
    ("DEMO-S-04", "Asia Bearings Ltd.", "TP. Hồ Chí Minh", (3.5, 3.75), 0.35),
)


def build_suppliers(kit: StoryKit) -> None:
    for ext, name, city, (of_us, of_them), price_share in SUPPLIERS:
        a = kit.account(ext, name, Industry.OTHER, Tier.KEY, "purchasing",
                        "Demo supplier: the buyer's side of the relationship.", city, 2500,
                        kind=AccountKind.SUPPLIER)
        rep = kit.contact(a, ext, "Sales representative", "Key account manager",
                          f"sales@{ext.lower()}.example")
        weight = round(price_share * 10)
        kit.touchpoints_every(a, ext, 45, 1080, 15, {
            "price": (weight, ("purchasing",)),
            "contract": (max(1, weight // 2), ("purchasing", "finance")),
            "design_idea": (10 - weight, ("engineering", "purchasing")),
            "process_improvement": (max(1, 8 - weight), ("production",)),
        }, 0.5, contacts=(rep,))
        kit.idea(a, ext, 400, False, "design", "Lighter cylinder rod with the same stroke",
                 "adopted" if of_them >= 3.5 else "rejected", 80_000_000, contact=rep)
        kit.idea(a, ext, 200, True, "distribution", "Vendor-managed stock of fast movers", "adopted",
                 50_000_000, by="purchasing")
        kit.info(a, 300, True, "forecast", "Our purchase forecast for next year", by="purchasing")
        if of_them >= 3.5:
            kit.info(a, 150, False, "cost_data", "Their cost breakdown of the main part", True,
                     by="purchasing")
        kit.trust(a, 120, of_us, of_them, round(of_us * 2), rep, "purchasing")
        build_buying(kit, a, ext)
