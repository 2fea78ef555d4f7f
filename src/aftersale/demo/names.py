"""Vietnamese and English names for generated companies and people.

Names are picked by index, not drawn one by one, so that a whole chunk of
accounts is named with array arithmetic and every account keeps its name
whatever the size of the portfolio.
"""

from __future__ import annotations

import unicodedata

from aftersale.accounts.models import Industry

VI_FAMILY = (
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ",
    "Hồ", "Ngô", "Dương", "Lý", "Trương", "Đinh", "Lâm", "Mai",
)
VI_MIDDLE = ("Văn", "Thị", "Đức", "Minh", "Ngọc", "Thanh", "Quốc", "Hữu", "Thu", "Hồng", "Gia", "Xuân")
VI_GIVEN = (
    "An", "Bình", "Cường", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hiếu", "Hoa", "Hùng", "Hương",
    "Khánh", "Lan", "Linh", "Long", "Mai", "Minh", "Nam", "Ngọc", "Phong", "Phúc", "Quân",
    "Quang", "Sơn", "Tâm", "Thảo", "Thắng", "Thủy", "Trang", "Trung", "Tuấn", "Vân", "Việt",
    "Yến", "Đạt", "Ánh", "Kiên", "Nhung", "Tú",
)
EN_GIVEN = (
    "Alice", "Andrew", "Charlotte", "Daniel", "David", "Emily", "George", "Grace", "Hannah",
    "Henry", "Jack", "James", "Laura", "Lucy", "Mark", "Michael", "Olivia", "Peter", "Rachel",
    "Sarah", "Sophie", "Thomas", "William", "Kenji", "Min-jun", "Wei",
)
EN_FAMILY = (
    "Anderson", "Baker", "Brown", "Clarke", "Davies", "Evans", "Foster", "Green", "Harris",
    "Hughes", "Jackson", "Kim", "Lee", "Martin", "Mitchell", "Morgan", "Parker", "Roberts",
    "Scott", "Taylor", "Thompson", "Turner", "Walker", "Wilson", "Wright", "Tanaka",
)
CONTACT_ROLES = (
    "Giám đốc nhà máy", "Trưởng phòng mua hàng", "Trưởng phòng kỹ thuật", "Kế toán trưởng",
    "Plant manager", "Purchasing manager", "Maintenance lead", "Operations director", "CFO",
    "Head of IT",
)

VI_FORMS = ("Công ty TNHH", "Công ty CP", "Công ty TNHH MTV")
EN_FORMS = ("Co., Ltd.", "JSC", "Corporation")
VI_SECTORS = {
    Industry.CAPITAL_EQUIPMENT: (
        "Cơ khí", "Bao bì", "Nhựa", "Thép", "Điện tử", "Dệt may", "Thực phẩm", "Gỗ", "Phụ tùng ô tô",
        "Kết cấu thép",
    ),
    Industry.FINANCIAL_SERVICES: (
        "Tài chính", "Chứng khoán", "Bảo hiểm", "Quỹ tín dụng", "Thanh toán", "Cho thuê tài chính",
    ),
    Industry.CONSULTING: ("Tư vấn", "Kiểm toán", "Tư vấn quản lý", "Giải pháp", "Tư vấn kỹ thuật"),
}
EN_SECTORS = {
    Industry.CAPITAL_EQUIPMENT: (
        "Precision Engineering", "Packaging", "Plastics", "Steel Works", "Electronics",
        "Textiles", "Food Processing", "Furniture", "Auto Parts", "Metal Forming",
    ),
    Industry.FINANCIAL_SERVICES: (
        "Finance", "Securities", "Insurance", "Credit", "Payments", "Leasing",
    ),
    Industry.CONSULTING: ("Consulting", "Advisory", "Management Consulting", "Solutions", "Partners"),
}
VI_BRANDS = (
    "Hưng Thịnh", "An Phát", "Minh Long", "Thành Công", "Việt Tiến", "Phú Cường", "Hoàng Gia",
    "Tân Tiến", "Đại Phát", "Kim Long", "Sao Mai", "Trường Thành", "Nam Việt", "Bảo Minh",
    "Hòa Bình", "Thăng Long", "Hồng Hà", "Phương Nam", "Đông Dương", "Tràng An", "Hải Âu",
    "Lạc Hồng", "Sông Đà", "Bến Thành", "Ánh Dương", "Tân Phú", "Quang Minh", "Đức Thành",
    "Vạn Xuân", "Thiên Long", "Hữu Nghị", "Mê Kông", "Trí Việt", "Hà Thành", "Đồng Tâm",
    "Phước Lộc", "An Khang", "Gia Phát", "Toàn Thắng", "Nhật Quang",
)
VI_REGIONS = (
    "", "Miền Bắc", "Miền Nam", "Miền Trung", "Sài Gòn", "Hà Nội", "Đà Nẵng", "Hải Phòng",
    "Bình Dương", "Đồng Nai", "Cần Thơ", "Bắc Ninh", "Long An", "Quảng Ninh", "Nghệ An",
    "Khánh Hòa",
)
EN_BRANDS = (
    "Saigon", "Hanoi", "Mekong", "Red River", "Pacific", "Lotus", "Golden Star", "Highland",
    "Delta", "Blue Ocean", "Silver Bridge", "Evergreen", "Sunrise", "Jade", "Phoenix",
    "Harbour", "Summit", "Bamboo", "Orchid", "Crescent", "Meridian", "Northstar", "Riverside",
    "Coastal", "Heritage",
)
CITIES = (
    "Hà Nội", "TP. Hồ Chí Minh", "Đà Nẵng", "Hải Phòng", "Bình Dương", "Đồng Nai", "Cần Thơ",
    "Bắc Ninh", "Long An", "Quảng Ninh", "Nghệ An", "Khánh Hòa", "Vĩnh Phúc", "Thái Nguyên",
)


def vi_person(i: int) -> str:
    family = VI_FAMILY[i % len(VI_FAMILY)]
    middle = VI_MIDDLE[(i // len(VI_FAMILY)) % len(VI_MIDDLE)]
    given = VI_GIVEN[(i * 7 + i // 3) % len(VI_GIVEN)]
    return f"{family} {middle} {given}"


def en_person(i: int) -> str:
    return f"{EN_GIVEN[(i * 5 + i // 7) % len(EN_GIVEN)]} {EN_FAMILY[i % len(EN_FAMILY)]}"


def company_name(industry: str, vietnamese: bool, i: int) -> str:
    """The ``i``-th company name of an industry; distinct until the name space runs out."""
    if vietnamese:
        forms, sectors, brands, regions = VI_FORMS, VI_SECTORS[industry], VI_BRANDS, VI_REGIONS
    else:
        forms, sectors, brands, regions = EN_FORMS, EN_SECTORS[industry], EN_BRANDS, ("",)
    space = len(brands) * len(sectors) * len(regions) * len(forms)
    # Stepping by a number coprime to the space visits every name once, in an
    # order that does not put twenty "Hưng Thịnh" companies in a row.
    step = 7919
    while _gcd(step, space) != 1:
        step += 2
    k = (i % space) * step % space
    brand = brands[k % len(brands)]
    k //= len(brands)
    sector = sectors[k % len(sectors)]
    k //= len(sectors)
    region = regions[k % len(regions)]
    k //= len(regions)
    form = forms[k % len(forms)]
    round_ = i // space
    suffix = f" {round_ + 1}" if round_ else ""
    if vietnamese:
        return " ".join(p for p in (form, sector, brand, region) if p) + suffix
    return f"{brand} {sector} {form}{suffix}"


def _gcd(a: int, b: int) -> int:
    while b:
        a, b = b, a % b
    return a


def ascii_slug(text: str, sep: str = ".") -> str:
    """``Nguyễn Thị Lan`` -> ``nguyen.thi.lan``: for e-mail addresses."""
    text = text.replace("đ", "d").replace("Đ", "D")
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = "".join(c if c.isalnum() else " " for c in plain.lower()).split()
    return sep.join(words)
