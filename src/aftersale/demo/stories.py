"""The seven demo stories: named accounts whose history shows one thing clearly.

Each story is documented in docs/demo.md with where to find it; its account's
internal notes say what to look for. Days are counted back from ``as_of``.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from aftersale.accounts.models import Industry, Tier
from aftersale.demo.builder import Builder
from aftersale.demo.cast import Cast
from aftersale.demo.catalogue import EMAIL_DOMAIN
from aftersale.demo.clock import Calendar
from aftersale.demo.storykit import StoryKit
from aftersale.demo.suppliers import build_suppliers

CAP, FIN = Industry.CAPITAL_EQUIPMENT, Industry.FINANCIAL_SERVICES
# Topic -> (weight, who attends) for ordinary, friendly contact.
ROUTINE = {
    "planning": (3, ("owner",)),
    "technical_support": (3, ("service",)),
    "training": (1, ("service", "engineering")),
    "price": (1, ("owner",)),
    "contract": (1, ("owner", "finance")),
    "other": (1, ("marketing",)),
}


@dataclass(frozen=True)
class Story:
    number: int
    external_id: str
    name: str
    summary: str
    write: Callable[[StoryKit, Story], None]


def quiet(kit: StoryKit, s: Story) -> None:
    """Orders every month, but not a word or a request from them for over a year (P10)."""
    a = kit.account(s.external_id, s.name, CAP, Tier.KEY, "owner", s.summary, "Bình Dương", 2900)
    buyer = kit.contact(a, s.external_id, "Phạm Thị Thu Hà", "Trưởng phòng mua hàng",
                        f"thuha.pham@baobitanphu.{EMAIL_DOMAIN}", portal=True)
    plant = kit.contact(a, s.external_id, "Trần Văn Bảo", "Giám đốc nhà máy", "bao.tran@baobitanphu.example")
    m1 = kit.asset(a, s.external_id, "IM180", "IM180-TP-0311", 1500, location="Xưởng 1")
    m2 = kit.asset(a, s.external_id, "IM180", "IM180-TP-0452", 900, location="Xưởng 2")
    for asset, last in ((m1, 40), (m2, 75)):
        kit.plan(asset, "Bảo trì định kỳ IM-180 (120 ngày)", 120, last)
    kit.orders_every(a, s.external_id, 30, 1090, 9, [("OIL46", 4, 0.97), ("SCREW-IM", 1, 0.95)],
                     channel="portal", placed_by=buyer, jitter=0.1)
    kit.touchpoints_every(a, s.external_id, 25, 1085, 420, ROUTINE, customer_share=0.5,
                          contacts=(buyer, plant))
    # The last year: only our own calls and e-mails, none answered with a request.
    for ago in kit.series(50, 380, 20):
        kit.touchpoint(a, s.external_id, ago, "email", "other", 10, False, ("owner",),
                       "Gửi bảng giá mới, chưa thấy phản hồi")
    for ago, kind, title in ((1040, "application_support", "Hỗ trợ cài đặt khuôn mới"),
                             (930, "repair", "Máy dừng báo lỗi áp suất"),
                             (800, "other", "Khiếu nại: giao sai phụ tùng"),
                             (640, "application_support", "Thời gian chu kỳ cao hơn báo giá"),
                             (520, "repair", "Rò dầu ở xi lanh chính"),
                             (410, "application_support", "Công nhân cần hỗ trợ chương trình mới")):
        case = kit.case(a, s.external_id, ago, kind, title, complaint=title.startswith("Khiếu nại"),
                        asset=m1 if kind == "repair" else None, raised_by=plant)
        kit.work(a, ago - 1, "service", 3.5, case=case, on_site=kind == "repair", travel=600_000)
    for ago in (100, 220, 340):  # our maintenance visits carry on
        kit.work(a, ago, "service2", 4.0, asset=m2, on_site=True, travel=600_000,
                 note="Bảo trì định kỳ")
    kit.promise(a, s.external_id, "Giao dầu thủy lực trong 3 ngày kể từ khi đặt hàng", "after_sale",
                700, 690, "owner", "production", "kept", closed_ago=692)
    kit.trust(a, 760, 4.0, 4.0, 8, buyer, "owner")
    # The last review saw nothing wrong: steady orders, no complaints.
    kit.review(a, 560, 180, "owner", "steady", True, False, "Đơn hàng đều, không có khiếu nại.")
    kit.review(a, 200, 180, "owner", "steady", True, False, "Đơn hàng đều qua cổng, không có khiếu nại.")


def late_promise(kit: StoryKit, s: Story) -> None:
    """Sales promised the second press line for a date; production delivered six weeks late (P6)."""
    a = kit.account(s.external_id, s.name, CAP, Tier.KEY, "owner", s.summary, "Đà Nẵng", 1400)
    director = kit.contact(a, s.external_id, "Hồ Quang Vinh", "Giám đốc nhà máy",
                           "vinh.ho@ketcauthep.example")
    line1 = kit.asset(a, s.external_id, "HP400", "HP400-MT-0088", 1100, location="Xưởng dập 1")
    line2 = kit.asset(a, s.external_id, "HP400", "HP400-MT-0231", 68, location="Xưởng dập 2")
    kit.plan(line1, "Bảo trì định kỳ HP-400 (90 ngày)", 90, 30)
    kit.plan(line2, "Bảo trì định kỳ HP-400 (90 ngày)", 90, 60)
    kit.orders_every(a, s.external_id, 60, 1080, 20, [("OIL46", 6, 0.95), ("SEAL-HP", 2, 0.95)],
                     channel="phone", placed_by=director)
    kit.order(a, s.external_id, 212, [("HP400", 1, 0.96), ("TRAIN", 2, 1.0)], taken_by="owner",
              note="Dây chuyền dập thứ hai")
    kit.touchpoints_every(a, s.external_id, 30, 1080, 230, ROUTINE, 0.4, contacts=(director,))
    kit.promise(
        a, s.external_id,
        "Giao và chạy thử dây chuyền dập HP-400 thứ hai trước ngày đã hứa trong hợp đồng",
        "sale", 210, 110, "owner", "production", "late", closed_ago=68, contact=director,
        evidence="Biên bản nghiệm thu ngày giao máy",
    )
    for ago, topic, minutes, staff, text in (
        (112, "expediting", 20, ("owner",), "Khách hỏi tiến độ giao máy"),
        (104, "expediting", 25, ("owner", "production"), "Sản xuất báo chậm do thiếu xi lanh"),
        (95, "dispute", 90, ("owner", "production.manager"), "Khách yêu cầu bồi thường do trễ hẹn"),
        (84, "expediting", 15, ("owner",), "Khách hối thúc lần ba"),
        (66, "technical_support", 240, ("service", "engineering"), "Lắp đặt và chạy thử dây chuyền 2"),
        (30, "planning", 60, ("owner", "production.manager"), "Rút kinh nghiệm về lịch giao hàng"),
    ):
        kit.touchpoint(a, s.external_id, ago, "meeting" if minutes >= 60 else "call", topic, minutes,
                       topic in ("expediting", "dispute"), staff, text, (director,))
    late = kit.case(a, s.external_id, 100, "other", "Khiếu nại: dây chuyền thứ hai giao trễ hẹn",
                    severity="high", complaint=True, raised_by=director, resolve_days=40)
    install = kit.case(a, s.external_id, 70, "installation", "Lắp đặt và chạy thử máy mới",
                       asset=line2, resolve_days=6)
    kit.work(a, 96, "sales.manager", 2.0, case=late, note="Họp xử lý khiếu nại")
    for ago in (68, 67, 66):
        kit.work(a, ago, "service", 8.0, case=install, asset=line2, on_site=True, travel=2_400_000,
                 warranty=True)
    kit.promise(a, s.external_id, "Đào tạo vận hành cho ca mới", "delivery", 60, 40, "owner",
                "service", "kept", closed_ago=42)
    kit.promise(a, s.external_id, "Giao phụ tùng trong hai tuần", "after_sale", 400, 386, "service",
                "production", "kept", closed_ago=390)
    kit.trust(a, 50, 3.25, 3.75, 6, director, "owner", "Máy tốt nhưng giao trễ làm chúng tôi mất đơn hàng")
    kit.review(a, 45, 180, "owner", "deteriorating", False, True,
               "Dây chuyền thứ hai giao trễ sáu tuần; khách mất một đơn hàng vì chúng ta.")


def trusted(kit: StoryKit, s: Story) -> None:
    """Little time on price and contracts, ideas both ways, high trust on both sides (P16-P19)."""
    a = kit.account(s.external_id, s.name, CAP, Tier.STRATEGIC, "sales.manager", s.summary,
                    "Cần Thơ", 3300, competitors=("EUROMACH",))
    david = kit.contact(a, s.external_id, "David Tran", "Operations director",
                        f"david.tran@mekongprecision.{EMAIL_DOMAIN}", portal=True)
    tam = kit.contact(a, s.external_id, "Lê Minh Tâm", "Maintenance lead", "tam.le@mekongprecision.example")
    for k, (code, installed) in enumerate((("VMC850", 1600), ("VMC850", 1250), ("VMC850", 700),
                                           ("LC3015", 480))):
        asset = kit.asset(a, s.external_id, code, f"{code}-MK-{k + 1:04d}", installed,
                          location=f"Hall {k // 2 + 1}")
        kit.plan(asset, f"{code} service every 180 days", 180, 30 + 35 * k)
    kit.orders_every(a, s.external_id, 45, 1085, 14, [("SPINDLE-VMC", 1, 0.92), ("COOLANT", 10, 0.95),
                                                      ("APPENG", 1, 1.0)], channel="edi", placed_by=tam)
    collaborative = {
        "planning": (3, ("sales.manager", "production.manager")),
        "design_idea": (3, ("engineering", "engineering.manager")),
        "process_improvement": (3, ("production", "engineering")),
        "training": (2, ("service",)),
        "technical_support": (2, ("service2",)),
        "contract": (1, ("sales.manager",)),
    }
    kit.touchpoints_every(a, s.external_id, 35, 1080, 6, collaborative, 0.5, minutes=(30, 90),
                          contacts=(david, tam))
    for ago, ours, area, title, status, value, by in (
        (980, True, "process", "Predictive maintenance from vibration data", "adopted", 420_000_000,
         "engineering"),
        (860, False, "design", "Make the guard door wider for loading", "adopted", 150_000_000, None),
        (700, True, "manufacturing", "Switch to a two-stage die to save one operation", "adopted",
         680_000_000, "engineering.manager"),
        (560, False, "distribution", "Deliver parts in returnable crates", "adopted", 90_000_000, None),
        (430, True, "process", "Shared spare-parts stock at their site", "adopted", 250_000_000,
         "production"),
        (300, False, "design", "Put the alarm manual in Vietnamese", "adopted", 40_000_000, None),
        (150, True, "process", "Energy saving mode for night shifts", "rejected", None, "engineering"),
        (20, False, "manufacturing", "Combine our orders into monthly deliveries", "proposed",
         120_000_000, None),
    ):
        kit.idea(a, s.external_id, ago, ours, area, title, status, value, by=by or "engineering",
                 contact=None if ours else tam)
    for ago in range(1000, 0, -90):
        kit.info(a, ago, False, "forecast", "Demand forecast for the next two quarters", by="sales.manager")
    kit.info(a, 400, True, "roadmap", "Product roadmap for next year", by="engineering.manager")
    kit.info(a, 250, False, "confidential", "Plans for a new plant (confidential)", True, by="sales.manager")
    kit.info(a, 120, True, "cost_data", "Cost breakdown of the spindle set", True, by="finance.manager")
    for ago, of_us, of_them in ((700, 4.5, 4.5), (520, 4.75, 4.5), (340, 4.75, 4.75), (160, 5.0, 4.75)):
        kit.trust(a, ago, of_us, of_them, 9, david, "sales.manager")
    us = {"price": 4, "quality": 5, "delivery": 5, "service": 5, "responsiveness": 5, "innovation": 5}
    rival = {"price": 4, "quality": 4, "delivery": 3, "service": 3, "responsiveness": 3, "innovation": 4}
    for ago in (440, 350, 260, 170, 80):  # every quarter, the next one due in ten days
        kit.review(a, ago, 90, "sales.manager", "improving" if ago > 200 else "steady", True, False,
                   "Joint work on the die project goes well.",
                   "Euromach visited; they are not in our league on service.",
                   {None: us, "EUROMACH": rival} if ago == 80 else None)
    kit.joint_plan(a, "Joint plan: new line at the Cần Thơ plant", [
        ("Share the production forecast each quarter", "customer", 60, "done"),
        ("Pilot the new die design", "us", 40, "done"),
        ("Train two more operators", "us", 10, "done"),
        ("Joint visit to the new plant site", "customer", -30, "open"),
        ("Agree the maintenance calendar for next year", "us", -60, "open"),
    ], "sales.manager", david)
    kit.expectation(a, "Spare parts in stock in Vietnam", True, 100)
    kit.expectation(a, "Monthly report of machine uptime", True, 60)
    kit.promise(a, s.external_id, "Deliver the custom tooling drawing", "pre_sale", 300, 280,
                "engineering", "engineering", "kept", closed_ago=285)
    kit.promise(a, s.external_id, "Technician on site within 48 hours", "after_sale", 50, -40,
                "service.manager", "service", "open")


def haggler(kit: StoryKit, s: Story) -> None:
    """Most face time on price, contracts and blame; thin margins; low trust (P17)."""
    a = kit.account(s.external_id, s.name, CAP, Tier.KEY, "owner2", s.summary, "TP. Hồ Chí Minh",
                    1500, competitors=("HWASHIN", "MCNSG"))
    buyer = kit.contact(a, s.external_id, "Võ Thanh Sơn", "Trưởng phòng mua hàng", "son.vo@kimphat.example")
    for k, (code, installed) in enumerate((("AC75", 1300), ("AC75", 1000), ("HP250", 800))):
        asset = kit.asset(a, s.external_id, code, f"{code}-KP-{k + 1:04d}", installed)
        kit.plan(asset, f"Bảo trì định kỳ {code}", 180, 50 + 20 * k)
    # Every order squeezed to a few per cent over our cost.
    kit.orders_every(a, s.external_id, 40, 1080, 11, [("FILTER-AC", 6, 0.62), ("OIL46", 4, 0.74),
                                                      ("SEAL-HP", 1, 0.58)], placed_by=buyer,
                     taken_by="owner2")
    haggling = {
        "price": (4, ("owner2", "finance")),
        "contract": (2, ("owner2", "finance.manager")),
        "dispute": (2, ("owner2", "service.manager")),
        "expediting": (1, ("owner2",)),
        "technical_support": (3, ("service",)),
        "planning": (2, ("owner2",)),
        "training": (1, ("service2",)),
    }
    kit.touchpoints_every(a, s.external_id, 12, 1080, 3, haggling, 0.6, minutes=(60, 180),
                          contacts=(buyer,))
    for ago, title in ((900, "Khiếu nại: hóa đơn không khớp đơn hàng"), (610, "Khiếu nại: giao sai phụ tùng"),
                       (330, "Khiếu nại: hóa đơn không khớp đơn hàng"),
                       (90, "Khiếu nại: phí vận chuyển quá cao")):
        kit.case(a, s.external_id, ago, "other", title, complaint=True, raised_by=buyer, assigned="finance",
                 resolve_days=9)
    kit.idea(a, s.external_id, 500, True, "process", "Gộp đơn hàng để giảm phí vận chuyển", "rejected",
             by="owner2")
    for ago, of_us, of_them, sat in ((700, 2.5, 2.25, 5), (380, 2.25, 2.0, 4), (60, 2.0, 1.75, 4)):
        kit.trust(a, ago, of_us, of_them, sat, buyer, "owner2", "Giá vẫn cao hơn chỗ khác")
    for ago in (420, 240, 60):
        kit.review(a, ago, 180, "owner2", "steady" if ago > 100 else "deteriorating", True, False,
                   "Mỗi cuộc họp đều xoay quanh giá.",
                   "Khách dùng báo giá của Hwa Shin và Máy Công nghiệp Sài Gòn để ép giá.",
                   {None: {"price": 2, "quality": 4, "delivery": 3, "service": 4, "responsiveness": 3,
                           "innovation": 3},
                    "HWASHIN": {"price": 4, "quality": 3, "delivery": 3, "service": 3,
                                "responsiveness": 3, "innovation": 3}} if ago == 60 else None)
    kit.promise(a, s.external_id, "Giữ giá năm nay cho đơn lặp lại", "sale", 330, 240, "owner2",
                "finance", "kept", closed_ago=240)
    kit.promise(a, s.external_id, "Xuất lại hóa đơn đã sửa", "after_sale", 95, 85, "finance",
                "finance", "late", closed_ago=70)


def overdue_press(kit: StoryKit, s: Story) -> None:
    """A press past its quarterly service, now down with a repair case past its targets (P3)."""
    a = kit.account(s.external_id, s.name, CAP, Tier.KEY, "owner", s.summary, "Hải Phòng", 2000,
                    competitors=("TAIYO",))
    lan = kit.contact(a, s.external_id, "Nguyễn Thị Lan", "Trưởng phòng kỹ thuật",
                      f"lan.nguyen@cokhidonga.{EMAIL_DOMAIN}", portal=True)
    duc = kit.contact(a, s.external_id, "Hoàng Minh Đức", "Giám đốc nhà máy", "duc.hoang@cokhidonga.example")
    press = kit.asset(a, s.external_id, "HP400", "HP400-DA-0117", 1300, location="Xưởng dập")
    compressor = kit.asset(a, s.external_id, "AC75", "AC75-DA-0542", 600, location="Phòng máy nén")
    press_plan = kit.plan(press, "Bảo dưỡng định kỳ HP-400 (mỗi quý)", 90, 205)
    kit.plan(compressor, "Bảo trì định kỳ AC-75 (180 ngày)", 180, 60)
    for ago in range(1200, 205, -90):  # maintenance kept to schedule until 205 days ago
        case = kit.case(a, s.external_id, ago, "maintenance", "Bảo trì định kỳ", severity="low",
                        asset=press, resolve_days=1, channel="visit", plan=press_plan)
        kit.work(a, ago, "service", 6.0, case=case, asset=press, on_site=True, parts=3_200_000,
                 travel=1_100_000, warranty=ago > 570)
    kit.orders_every(a, s.external_id, 50, 1080, 16, [("OIL46", 4, 0.96), ("SEAL-HP", 1, 0.95)],
                     channel="portal", placed_by=lan)
    kit.touchpoints_every(a, s.external_id, 28, 1080, 20, ROUTINE, 0.45, contacts=(lan, duc))
    repair = kit.case(a, s.external_id, 12, "repair", "Rò dầu ở xi lanh chính, máy dập HP-400 dừng",
                      severity="high", asset=press, respond_hours=22.0, resolve_days=None,
                      raised_by=lan, hour=8)
    kit.work(a, 10, "service", 6.0, case=repair, asset=press, on_site=True, parts=38_000_000,
             travel=1_200_000, note="Thay bộ phớt, vẫn rò ở van")
    kit.work(a, 6, "engineering", 4.0, case=repair, asset=press, on_site=True, travel=1_200_000,
             note="Chờ bơm chính từ nhà máy")
    kit.case(a, s.external_id, 5, "other", "Khiếu nại: máy dập vẫn dừng sau một tuần", severity="high",
             complaint=True, raised_by=duc, respond_hours=30.0, resolve_days=None, assigned="service.manager")
    for ago, topic, text in ((12, "technical_support", "Báo máy dập dừng"),
                             (8, "expediting", "Hỏi khi nào có bơm thay thế"),
                             (4, "dispute", "Giám đốc nhà máy phàn nàn về thời gian dừng máy")):
        kit.touchpoint(a, s.external_id, ago, "call", topic, 20, True, ("service.manager",), text, (duc,))
    kit.promise(a, s.external_id, "Kỹ thuật viên có mặt trong 48 giờ", "after_sale", 12, 10, "service",
                "service", "kept", closed_ago=10)
    kit.promise(a, s.external_id, "Giao bơm chính thay thế trong một tuần", "after_sale", 9, 2,
                "service.manager", "production", "open")
    kit.trust(a, 300, 4.0, 4.0, 8, lan, "owner")
    kit.review(a, 150, 180, "owner", "steady", True, False, "Máy chạy ổn, bảo trì đúng hạn.")


def faded(kit: StoryKit, s: Story) -> None:
    """Met every week or two for years; nothing from either side for five months (P8, P10)."""
    a = kit.account(s.external_id, s.name, FIN, Tier.KEY, "owner", s.summary, "Hà Nội", 2400)
    huong = kit.contact(a, s.external_id, "Đặng Thị Hương", "Kế toán trưởng",
                        "huong.dang@anhduongfinance.example")
    minh = kit.contact(a, s.external_id, "Bùi Quang Minh", "Head of IT", "minh.bui@anhduongfinance.example")
    for k, (code, installed) in enumerate((("BS500", 1500), ("BS500", 1100), ("CR20", 700))):
        asset = kit.asset(a, s.external_id, code, f"{code}-AD-{k + 1:04d}", installed,
                          location=f"Chi nhánh {k + 1}")
        kit.plan(asset, f"Bảo trì định kỳ {code}", 180, 40 + 30 * k)
    kit.orders_every(a, s.external_id, 90, 1080, 25, [("AMC", 1, 0.95), ("CLEAN-BS", 5, 1.0)],
                     placed_by=huong, taken_by="owner")
    kit.touchpoints_every(a, s.external_id, 9, 1085, 160, {
        "planning": (2, ("owner",)), "technical_support": (3, ("service",)),
        "training": (1, ("service2",)), "contract": (1, ("owner", "finance")), "other": (1, ("owner",)),
    }, 0.5, contacts=(huong, minh))
    for ago in kit.series(60, 1050, 170):
        kit.case(a, s.external_id, ago, "application_support", "Hỏi về các chế độ đếm", raised_by=minh,
                 resolve_days=1)
    for ago, of_us in ((900, 4.25), (540, 4.0), (200, 3.75)):
        kit.trust(a, ago, of_us, 4.0, 8, huong, "owner")
    # Reviewed when the contact was lively; not since.
    kit.review(a, 400, 180, "owner", "improving", True, False, "Họp định kỳ hai tuần một lần.")


def courted(kit: StoryKit, s: Story) -> None:
    """A competitor is in, rated better on price and responsiveness, and we broke a promise (P9)."""
    a = kit.account(s.external_id, s.name, CAP, Tier.KEY, "owner2", s.summary, "Long An", 1800,
                    competitors=("HWASHIN", "TAIYO"))
    minh = kit.contact(a, s.external_id, "Lê Quang Minh", "Giám đốc nhà máy",
                       f"minh.le@nhuasaigonxanh.{EMAIL_DOMAIN}", portal=True)
    sarah = kit.contact(a, s.external_id, "Sarah Kim", "Purchasing manager",
                        "sarah.kim@nhuasaigonxanh.example")
    machines = [kit.asset(a, s.external_id, "IM180", f"IM180-SX-{k + 1:04d}", 1600 - 400 * k)
                for k in range(3)]
    for k, asset in enumerate(machines):
        kit.plan(asset, "IM-180 service every 120 days", 120, 20 + 25 * k)
    kit.orders_every(a, s.external_id, 35, 1080, 190, [("OIL46", 5, 0.95), ("SCREW-IM", 1, 0.93)],
                     channel="portal", placed_by=sarah)
    # Orders have thinned out: every two months, the last ten weeks ago.
    kit.orders_every(a, s.external_id, 60, 185, 70, [("OIL46", 3, 0.92)], channel="portal", placed_by=sarah)
    kit.touchpoints_every(a, s.external_id, 30, 1080, 60, ROUTINE, 0.4, contacts=(minh, sarah))
    for ago, topic, text in ((45, "price", "Sarah showed a Hwa Shin quote 18 % below ours"),
                             (32, "price", "Asked us to match Hwa Shin's price and 24-hour response"),
                             (18, "contract", "Wants to shorten the service contract to six months")):
        kit.touchpoint(a, s.external_id, ago, "meeting", topic, 75, True, ("owner2", "finance"), text,
                       (sarah,))
    kit.promise(a, s.external_id, "Replace the worn screw and barrel on IM-180 #2 within two weeks",
                "after_sale", 90, 76, "service", "production", "broken", closed_ago=50, contact=minh,
                evidence="Part not shipped; customer repaired with a local workshop")
    kit.case(a, s.external_id, 88, "repair", "Worn screw and barrel on IM-180 #2", asset=machines[1],
             raised_by=minh, resolve_days=45)
    kit.case(a, s.external_id, 48, "other", "Complaint: promised part never arrived", severity="high",
             complaint=True, raised_by=minh, resolve_days=8, assigned="service.manager")
    kit.promise(a, s.external_id, "Quarterly executive review meeting", "after_sale", 200, 110,
                "manager", "owner2", "kept", closed_ago=112)
    kit.review(a, 220, 180, "owner2", "steady", True, False, "Stable; orders on the portal.")
    kit.review(a, 40, 180, "owner2", "deteriorating", False, True, "Orders slowing, a broken promise.",
               "Hwa Shin quoted 18 % below us for two IM-class machines and promises 24-hour response.",
               {None: {"price": 2, "quality": 4, "delivery": 3, "service": 3, "responsiveness": 2,
                       "innovation": 4},
                "HWASHIN": {"price": 5, "quality": 3, "delivery": 4, "service": 3, "responsiveness": 4,
                            "innovation": 3}})
    kit.trust(a, 600, 4.0, 4.0, 8, minh, "owner2")
    kit.trust(a, 35, 2.75, 3.5, 5, minh, "owner2", "Chúng tôi cần đối tác giữ lời hứa")
    kit.expectation(a, "A technician on site within 48 hours of a breakdown", False, 40)
    # Our answer to Hwa Shin: dearer to buy, cheaper to own (P13).
    kit.quote(a, s.external_id, "Two IM-180 machines for the new hall", "owner2", [("IM180", 2, 0.97)],
              competitor="HWASHIN", competitor_price=5_250_000_000, competitor_service=190_000_000,
              competitor_downtime=360, competitor_life=8, downtime_cost=9_000_000)


STORIES: tuple[Story, ...] = (
    Story(1, "DEMO-QUIET", "Công ty TNHH Bao bì Tân Phú",
          "Demo story 1, the quiet customer: orders every month on the portal, but has raised no "
          "service case, complaint or request and started no contact for over a year. Silence is "
          "the warning sign (P10).", quiet),
    Story(2, "DEMO-LATE-PROMISE", "Công ty CP Kết cấu Thép Miền Trung",
          "Demo story 2, a sales promise production kept late: sales promised the second HP-400 "
          "press line by a date in the contract; production delivered it 42 days late (P6).",
          late_promise),
    Story(3, "DEMO-TRUSTED", "Mekong Precision Components Co., Ltd.",
          "Demo story 3, the high-trust partner: little face time on price or contracts, ideas "
          "flowing both ways, confidential forecasts shared, trust above 4.5 on both sides (P16-P19).",
          trusted),
    Story(4, "DEMO-HAGGLER", "Công ty TNHH Thương mại Kim Phát",
          "Demo story 4, the price haggler: most meeting minutes go to price, contracts and disputes; "
          "orders at a few per cent margin; trust around 2 on both sides (P17).", haggler),
    Story(5, "DEMO-OVERDUE-PRESS", "Công ty TNHH Cơ khí Đông Á",
          "Demo story 5, overdue maintenance: the HP-400 press (serial HP400-DA-0117) missed its "
          "quarterly service and is now down with a high-severity repair case past its response "
          "and resolution targets (P3).", overdue_press),
    Story(6, "DEMO-FADED", "Công ty Tài chính Ánh Dương",
          "Demo story 6, faded contact: we met or spoke every week or two for over two years; "
          "there has been no contact at all for the last 160 days (P8).", faded),
    Story(7, "DEMO-COURTED", "Công ty CP Nhựa Sài Gòn Xanh",
          "Demo story 7, courted by a competitor: Hwa Shin Machinery is in, rated better than us on "
          "price, delivery and responsiveness in the last review, and we broke a promise (P9).",
          courted),
)


def build(builder: Builder, cast: Cast, as_of: date, rng: random.Random,
          targets: dict[str, tuple[float, float]], calendar: Calendar) -> None:
    kit = StoryKit(builder, cast, as_of, rng, targets, calendar)
    for story in STORIES:
        story.write(kit, story)
    build_suppliers(kit)
