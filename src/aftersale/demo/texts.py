"""Sentences for generated records, each in English and Vietnamese.

An account with a Vietnamese name gets Vietnamese case titles and notes, as
its people would write them; the rest get English.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

Pair = tuple[str, str]

CASE_TITLES: dict[str, tuple[Pair, ...]] = {
    "installation": (
        ("Install and commission new machine", "Lắp đặt và chạy thử máy mới"),
        ("Move machine to the new workshop", "Di dời máy sang xưởng mới"),
        ("Foundation check before installation", "Kiểm tra móng máy trước khi lắp đặt"),
    ),
    "application_support": (
        ("Help setting up a new die", "Hỗ trợ cài đặt khuôn mới"),
        ("Cycle time higher than quoted", "Thời gian chu kỳ cao hơn báo giá"),
        ("Operators need help with the new program", "Công nhân cần hỗ trợ chương trình mới"),
        ("Report export does not match the ledger", "Báo cáo xuất ra không khớp sổ cái"),
        ("Question about counting modes", "Hỏi về các chế độ đếm"),
    ),
    "repair": (
        ("Oil leak at the main cylinder", "Rò dầu ở xi lanh chính"),
        ("Machine stops with pressure alarm", "Máy dừng báo lỗi áp suất"),
        ("Spindle noise at high speed", "Trục chính kêu khi chạy tốc độ cao"),
        ("Jam in the transport section", "Kẹt ở bộ phận vận chuyển"),
        ("Control panel does not start", "Bảng điều khiển không khởi động"),
        ("Sensor fault after power cut", "Lỗi cảm biến sau khi mất điện"),
    ),
    "maintenance": (
        ("Scheduled maintenance visit", "Bảo trì định kỳ"),
        ("Annual inspection and calibration", "Kiểm tra và hiệu chuẩn hằng năm"),
        ("Replace filters and oil", "Thay lọc và dầu"),
    ),
    "other": (
        ("Invoice does not match the order", "Hóa đơn không khớp đơn hàng"),
        ("Request for spare parts price list", "Yêu cầu bảng giá phụ tùng"),
        ("Documentation for the audit", "Tài liệu phục vụ kiểm toán"),
    ),
}

COMPLAINT_TITLES: tuple[Pair, ...] = (
    ("Complaint: technician came two days late", "Khiếu nại: kỹ thuật viên đến trễ hai ngày"),
    ("Complaint: same fault again after repair", "Khiếu nại: lỗi cũ tái diễn sau sửa chữa"),
    ("Complaint: wrong parts delivered", "Khiếu nại: giao sai phụ tùng"),
    ("Complaint: nobody answers the hotline", "Khiếu nại: không ai nghe đường dây nóng"),
)

TOUCHPOINT_NOTES: dict[str, tuple[Pair, ...]] = {
    "price": (
        ("Asked for a further discount on the next order", "Đề nghị giảm giá thêm cho đơn tới"),
        ("Compared our price with a cheaper offer", "So sánh giá với một báo giá rẻ hơn"),
        ("Price increase for next year discussed", "Trao đổi về tăng giá năm tới"),
    ),
    "contract": (
        ("Reviewed payment terms in the framework contract", "Rà soát điều khoản thanh toán"),
        ("Negotiated penalty clauses", "Đàm phán điều khoản phạt"),
        ("Contract renewal for service agreement", "Gia hạn hợp đồng dịch vụ"),
    ),
    "dispute": (
        ("Argued about who pays for the damaged part", "Tranh luận ai chịu chi phí linh kiện hỏng"),
        ("Dispute over delivery delay", "Tranh chấp về việc giao hàng trễ"),
    ),
    "expediting": (
        ("Chased the delivery date of open orders", "Hối thúc ngày giao các đơn đang mở"),
        ("Asked when the technician will come", "Hỏi khi nào kỹ thuật viên đến"),
    ),
    "planning": (
        ("Capacity plan for next year", "Kế hoạch công suất năm tới"),
        ("Agreed the maintenance calendar", "Thống nhất lịch bảo trì"),
        ("Quarterly business review", "Họp đánh giá kinh doanh hằng quý"),
    ),
    "design_idea": (
        ("Discussed a lighter die design", "Thảo luận thiết kế khuôn nhẹ hơn"),
        ("Idea to combine two process steps", "Ý tưởng gộp hai công đoạn"),
    ),
    "process_improvement": (
        ("Reduced changeover time together", "Cùng giảm thời gian chuyển đổi"),
        ("Walked the line to find waste", "Đi dọc chuyền tìm lãng phí"),
    ),
    "training": (
        ("Trained new operators", "Đào tạo công nhân vận hành mới"),
        ("Safety training for maintenance staff", "Đào tạo an toàn cho tổ bảo trì"),
    ),
    "technical_support": (
        ("Remote help with alarm codes", "Hỗ trợ từ xa về mã lỗi"),
        ("Checked machine parameters", "Kiểm tra thông số máy"),
    ),
    "other": (
        ("Courtesy call", "Gọi điện thăm hỏi"),
        ("New year greetings", "Chúc Tết khách hàng"),
    ),
}

PROMISES: dict[str, tuple[Pair, ...]] = {
    "marketing": (
        ("Invite to the technology open day", "Mời tham dự ngày hội công nghệ"),
        ("Send the case study for their board", "Gửi tài liệu điển hình cho ban giám đốc"),
    ),
    "sales": (
        ("Deliver the order by the agreed date", "Giao hàng đúng ngày đã thỏa thuận"),
        ("Hold this year's prices for repeat orders", "Giữ giá năm nay cho đơn lặp lại"),
        ("Provide a loan machine during the upgrade", "Cho mượn máy trong thời gian nâng cấp"),
    ),
    "engineering": (
        ("Deliver the custom tooling drawing", "Giao bản vẽ đồ gá theo yêu cầu"),
        ("Send the firmware update with the fix", "Gửi bản cập nhật phần mềm sửa lỗi"),
    ),
    "production": (
        ("Ship the spare parts within two weeks", "Giao phụ tùng trong hai tuần"),
        ("Finish factory acceptance test on time", "Hoàn thành nghiệm thu tại xưởng đúng hạn"),
    ),
    "service": (
        ("Technician on site within 48 hours", "Kỹ thuật viên có mặt trong 48 giờ"),
        ("Complete the preventive maintenance visit", "Hoàn thành đợt bảo trì phòng ngừa"),
        ("Train the new shift operators", "Đào tạo công nhân ca mới"),
    ),
    "finance": (
        ("Issue the corrected invoice", "Xuất lại hóa đơn đã sửa"),
        ("Extend payment terms to 60 days", "Gia hạn thanh toán lên 60 ngày"),
    ),
    "management": (
        ("Quarterly executive review meeting", "Họp đánh giá cấp lãnh đạo hằng quý"),
    ),
}

IDEAS: dict[str, tuple[Pair, ...]] = {
    "from_us": (
        ("Switch to a two-stage die to save one operation", "Dùng khuôn hai bước để bỏ một công đoạn"),
        ("Predictive maintenance from vibration data", "Bảo trì dự đoán từ dữ liệu rung"),
        ("Shared spare-parts stock at their site", "Kho phụ tùng dùng chung tại nhà máy khách"),
        ("Energy saving mode for night shifts", "Chế độ tiết kiệm điện cho ca đêm"),
    ),
    "to_us": (
        ("Make the guard door wider for loading", "Làm cửa che rộng hơn để cấp liệu"),
        ("Deliver parts in returnable crates", "Giao phụ tùng bằng thùng quay vòng"),
        ("Put the alarm manual in Vietnamese", "Dịch hướng dẫn mã lỗi sang tiếng Việt"),
        ("Combine our orders into monthly deliveries", "Gộp đơn hàng thành giao hằng tháng"),
    ),
}

INFO: dict[str, tuple[Pair, ...]] = {
    "forecast": (("Demand forecast for the next two quarters", "Dự báo nhu cầu hai quý tới"),),
    "roadmap": (("Product roadmap for next year", "Lộ trình sản phẩm năm tới"),),
    "cost_data": (("Cost breakdown of the main part", "Cơ cấu chi phí linh kiện chính"),),
    "quality_data": (("Scrap and downtime figures", "Số liệu phế phẩm và dừng máy"),),
    "confidential": (("Plans for a new plant (confidential)", "Kế hoạch nhà máy mới (mật)"),),
    "other": (("Organisation chart update", "Cập nhật sơ đồ tổ chức"),),
}

EXPECTATIONS: tuple[Pair, ...] = (
    ("A technician on site within 48 hours of a breakdown", "Kỹ thuật viên có mặt trong 48 giờ khi máy hỏng"),
    ("Spare parts in stock in Vietnam", "Có sẵn phụ tùng tại Việt Nam"),
    ("Invoices that match the order the first time", "Hóa đơn khớp đơn hàng ngay lần đầu"),
    ("Two weeks' notice of price changes", "Báo trước hai tuần khi thay đổi giá"),
    ("Monthly report of machine uptime", "Báo cáo thời gian chạy máy hằng tháng"),
)

PLAN_ITEMS: tuple[Pair, ...] = (
    ("Agree the maintenance calendar for the year", "Thống nhất lịch bảo trì cả năm"),
    ("Train two more operators", "Đào tạo thêm hai công nhân vận hành"),
    ("Share the production forecast each quarter", "Chia sẻ dự báo sản xuất mỗi quý"),
    ("Pilot the new die design", "Chạy thử thiết kế khuôn mới"),
    ("Review spare-parts stock levels", "Rà soát mức tồn kho phụ tùng"),
    ("Joint visit to the new plant site", "Cùng khảo sát địa điểm nhà máy mới"),
)

REVIEW_NOTES: dict[str, Pair] = {
    "improving": ("More contact and fewer disputes than last period.",
                  "Liên lạc nhiều hơn, ít tranh chấp hơn kỳ trước."),
    "steady": ("No big change since the last review.", "Không thay đổi lớn so với lần đánh giá trước."),
    "deteriorating": ("Fewer orders and slower replies from their side.",
                      "Ít đơn hàng hơn và phản hồi chậm hơn."),
}


def pick(
    rng: np.random.Generator,
    pools: dict[str, tuple[Pair, ...]],
    keys: Sequence[str] | np.ndarray,
    vietnamese: np.ndarray,
) -> list[str]:
    """For each row, a random sentence of its key's pool, in its account's language."""
    names = list(pools)
    flat = [pair for name in names for pair in pools[name]]
    sizes = np.array([len(pools[name]) for name in names])
    offsets = np.concatenate(([0], np.cumsum(sizes)[:-1]))
    lookup = {name: i for i, name in enumerate(names)}
    codes = np.array([lookup[k] for k in keys], dtype=np.int64) if len(keys) else np.zeros(0, int)
    index = offsets[codes] + (rng.random(len(codes)) * sizes[codes]).astype(np.int64)
    table = np.array(flat, dtype=object)
    return table[index, np.asarray(vietnamese, dtype=np.int64)].tolist()


def pick_one(rng: np.random.Generator, pool: tuple[Pair, ...], vietnamese: np.ndarray) -> list[str]:
    return pick(rng, {"": pool}, [""] * len(vietnamese), vietnamese)
