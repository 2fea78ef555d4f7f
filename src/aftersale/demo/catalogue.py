"""The fixed cast of the demo: staff logins, products, competitors, service targets.

Everything here is the same for every seed, so the logins printed at the end
and documented in docs/demo.md never change.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from aftersale.accounts.models import Industry
from aftersale.commerce.models import ProductKind
from aftersale.core.enums import Department
from aftersale.service.models import Severity
from aftersale.staff.models import Role

# Demo data, not a secret: it is printed by the command and written in the docs.
DEMO_PASSWORD = "demo-password-2026"  # noqa: S105
EMAIL_DOMAIN = "demo.aftersale"
PREFIX = "DEMO-"


@dataclass(frozen=True)
class StaffMember:
    email: str
    name: str
    department: str
    role: str
    owns_accounts: bool = False

    @property
    def login(self) -> str:
        return f"{self.email}@{EMAIL_DOMAIN}"


STAFF: tuple[StaffMember, ...] = (
    StaffMember("admin", "Trần Quốc Anh", Department.MANAGEMENT, Role.ADMIN),
    StaffMember("manager", "Lê Thị Mai", Department.MANAGEMENT, Role.MANAGER),
    StaffMember("owner", "Nguyễn Văn Hùng", Department.SALES, Role.MEMBER, owns_accounts=True),
    StaffMember("owner2", "Emma Carter", Department.SALES, Role.MEMBER, owns_accounts=True),
    StaffMember("sales.manager", "Phạm Thị Thu", Department.SALES, Role.MANAGER, owns_accounts=True),
    StaffMember("marketing", "Đỗ Minh Khoa", Department.MARKETING, Role.MEMBER),
    StaffMember("marketing.manager", "Olivia Bennett", Department.MARKETING, Role.MANAGER),
    StaffMember("engineering", "Vũ Đức Long", Department.ENGINEERING, Role.MEMBER),
    StaffMember("engineering.manager", "James Walker", Department.ENGINEERING, Role.MANAGER),
    StaffMember("production", "Hoàng Văn Nam", Department.PRODUCTION, Role.MEMBER),
    StaffMember("production.manager", "Bùi Thị Hạnh", Department.PRODUCTION, Role.MANAGER),
    StaffMember("service", "Ngô Thanh Tùng", Department.SERVICE, Role.MEMBER),
    StaffMember("service2", "Daniel Nguyen", Department.SERVICE, Role.MEMBER),
    StaffMember("service.manager", "Đặng Thị Hồng", Department.SERVICE, Role.MANAGER),
    StaffMember("finance", "Lý Thị Ngọc", Department.FINANCE, Role.MEMBER),
    StaffMember("finance.manager", "Robert Chen", Department.FINANCE, Role.MANAGER),
    StaffMember("purchasing", "Trương Văn Phúc", Department.PURCHASING, Role.MEMBER),
)

# Big portfolios get generated colleagues so that no one owns tens of thousands of accounts:
# one account owner per this many accounts, one technician per this many.
ACCOUNTS_PER_OWNER = 400
ACCOUNTS_PER_TECHNICIAN = 1000


@dataclass(frozen=True)
class ProductSpec:
    code: str
    name: str
    kind: str
    list_price: int
    unit_cost: int
    service_cost_per_year: int = 0
    life_years: int | None = None
    industries: tuple[str, ...] = ()
    fits: tuple[str, ...] = field(default_factory=tuple)
    # For equipment: days between scheduled maintenance visits.
    maintenance_days: int | None = None

    @property
    def external_id(self) -> str:
        return f"{PREFIX}P-{self.code}"


_CAP = (Industry.CAPITAL_EQUIPMENT,)
_FIN = (Industry.FINANCIAL_SERVICES,)
_ALL = (Industry.CAPITAL_EQUIPMENT, Industry.FINANCIAL_SERVICES, Industry.CONSULTING)

# Prices in VND. Equipment carries what the TCO calculator needs.
PRODUCTS: tuple[ProductSpec, ...] = (
    ProductSpec("HP250", "Hydraulic press HP-250", ProductKind.EQUIPMENT, 2_850_000_000,
                2_050_000_000, 95_000_000, 15, _CAP, maintenance_days=90),
    ProductSpec("HP400", "Hydraulic press HP-400", ProductKind.EQUIPMENT, 4_600_000_000,
                3_350_000_000, 160_000_000, 18, _CAP, maintenance_days=90),
    ProductSpec("VMC850", "CNC machining centre VMC-850", ProductKind.EQUIPMENT, 3_900_000_000,
                2_900_000_000, 120_000_000, 12, _CAP, maintenance_days=180),
    ProductSpec("LC3015", "Fibre laser cutter LC-3015", ProductKind.EQUIPMENT, 5_200_000_000,
                3_900_000_000, 180_000_000, 10, _CAP, maintenance_days=180),
    ProductSpec("IM180", "Injection moulding machine IM-180", ProductKind.EQUIPMENT,
                3_300_000_000, 2_400_000_000, 110_000_000, 14, _CAP, maintenance_days=120),
    ProductSpec("AC75", "Screw air compressor AC-75", ProductKind.EQUIPMENT, 780_000_000,
                540_000_000, 36_000_000, 10, _CAP, maintenance_days=180),
    ProductSpec("BS500", "Banknote sorter BS-500", ProductKind.EQUIPMENT, 1_450_000_000,
                1_020_000_000, 70_000_000, 8, _FIN, maintenance_days=90),
    ProductSpec("CR20", "Cash recycler CR-20", ProductKind.EQUIPMENT, 960_000_000,
                690_000_000, 48_000_000, 8, _FIN, maintenance_days=180),
    ProductSpec("SEAL-HP", "Hydraulic seal kit (HP series)", ProductKind.PART, 38_000_000,
                21_000_000, industries=_CAP, fits=("HP250", "HP400")),
    ProductSpec("PUMP-HP", "Main pump assembly (HP series)", ProductKind.PART, 265_000_000,
                170_000_000, industries=_CAP, fits=("HP250", "HP400")),
    ProductSpec("SPINDLE-VMC", "Spindle bearing set VMC-850", ProductKind.PART, 145_000_000,
                92_000_000, industries=_CAP, fits=("VMC850",)),
    ProductSpec("NOZZLE-LC", "Cutting nozzle pack LC-3015", ProductKind.PART, 9_500_000,
                4_800_000, industries=_CAP, fits=("LC3015",)),
    ProductSpec("SCREW-IM", "Screw and barrel set IM-180", ProductKind.PART, 310_000_000,
                205_000_000, industries=_CAP, fits=("IM180",)),
    ProductSpec("BELT-BS", "Transport belt set BS-500", ProductKind.PART, 14_000_000,
                7_600_000, industries=_FIN, fits=("BS500",)),
    ProductSpec("OIL46", "Hydraulic oil ISO VG 46, 200 L drum", ProductKind.CONSUMABLE,
                12_500_000, 8_900_000, industries=_CAP, fits=("HP250", "HP400", "IM180")),
    ProductSpec("COOLANT", "Cutting fluid concentrate, 20 L", ProductKind.CONSUMABLE, 3_200_000,
                2_100_000, industries=_CAP, fits=("VMC850",)),
    ProductSpec("LENS-LC", "Protective lens window LC-3015 (10 pcs)", ProductKind.CONSUMABLE,
                6_800_000, 3_900_000, industries=_CAP, fits=("LC3015",)),
    ProductSpec("FILTER-AC", "Air and oil filter kit AC-75", ProductKind.CONSUMABLE, 4_600_000,
                2_700_000, industries=_CAP, fits=("AC75",)),
    ProductSpec("CLEAN-BS", "Sensor cleaning cards (box of 50)", ProductKind.CONSUMABLE,
                2_400_000, 1_100_000, industries=_FIN, fits=("BS500", "CR20")),
    ProductSpec("AMC", "Annual maintenance contract", ProductKind.SERVICE, 180_000_000,
                105_000_000, industries=_ALL),
    ProductSpec("TRAIN", "Operator training day", ProductKind.SERVICE, 18_000_000, 9_000_000,
                industries=_ALL),
    ProductSpec("APPENG", "Application engineering day", ProductKind.SERVICE, 32_000_000,
                17_000_000, industries=_CAP),
    ProductSpec("REPAIR", "On-site repair visit", ProductKind.SERVICE, 14_000_000, 8_500_000,
                industries=_ALL),
    ProductSpec("AUDIT", "Process audit and improvement plan", ProductKind.SERVICE, 240_000_000,
                150_000_000, industries=(Industry.CONSULTING, Industry.FINANCIAL_SERVICES)),
    ProductSpec("ANALYTICS", "Operations analytics subscription (year)", ProductKind.SERVICE,
                420_000_000, 190_000_000, industries=(Industry.CONSULTING,
                                                      Industry.FINANCIAL_SERVICES)),
)

PRODUCTS_BY_CODE = {p.code: p for p in PRODUCTS}


@dataclass(frozen=True)
class CompetitorSpec:
    code: str
    name: str
    website: str
    notes: str

    @property
    def external_id(self) -> str:
        return f"{PREFIX}C-{self.code}"


COMPETITORS: tuple[CompetitorSpec, ...] = (
    CompetitorSpec("HWASHIN", "Hwa Shin Machinery", "https://hwashin.example",
                   "Korean press maker; aggressive on price, fast quotes."),
    CompetitorSpec("TAIYO", "Taiyo Press Co.", "https://taiyo-press.example",
                   "Japanese premium presses; long lead times."),
    CompetitorSpec("MCNSG", "Công ty CP Máy Công nghiệp Sài Gòn", "https://mcnsg.example",
                   "Local assembler; cheap, thin service network."),
    CompetitorSpec("EUROMACH", "Euromach GmbH", "https://euromach.example",
                   "German machining centres; strong engineering support."),
)

# Response and resolution targets in business hours, per severity, for a
# severity that has none configured (the service app's defaults).
SERVICE_TARGETS: dict[str, tuple[Decimal, Decimal]] = {
    Severity.CRITICAL: (Decimal("1"), Decimal("8")),
    Severity.HIGH: (Decimal("4"), Decimal("24")),
    Severity.NORMAL: (Decimal("8"), Decimal("40")),
    Severity.LOW: (Decimal("16"), Decimal("80")),
}

# A technician's hour and the cost of one trip to site, in VND.
LABOUR_RATE = 450_000
