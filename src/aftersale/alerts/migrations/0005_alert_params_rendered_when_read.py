"""Alerts store their facts (``params``) and are worded when read, in the reader's language.

The words earlier versions stored become ``stored_explanation`` and
``stored_action``. The data step reads each stored text back into the facts
its kind's renderer needs, with the templates (English and Vietnamese) those
versions wrote: a frozen copy here, as a migration must not depend on code that
will change. Where it reads them, the stored words are cleared; they stay only
where nothing can render the alert: a kind that no longer exists, or a text no
template of the time matches (the renderer then shows those words as they were).
The silence and quiet-customer texts quote the signal's facts in prose that
cannot be read back reliably: those keep the number of machines (their
suggested action depends on it) and are worded without the facts.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from django.db import migrations, models
from django.utils import timezone

DAY = r"\d{4}-\d\d-\d\d"
GROUPS = {"due": DAY, "held": DAY, "rest": ".*"}
DEPARTMENTS = {
    "Marketing": "marketing", "Sales": "sales", "Engineering": "engineering", "Production": "production",
    "Service": "service", "Finance": "finance", "Management": "management", "Purchasing": "purchasing",
    "Tiếp thị": "marketing", "Kinh doanh": "sales", "Kỹ thuật": "engineering", "Sản xuất": "production",
    "Dịch vụ": "service", "Tài chính": "finance", "Ban lãnh đạo": "management", "Mua hàng": "purchasing",
}
CASE_KINDS = {
    "Installation": "installation", "Application support": "application_support", "Repair": "repair",
    "Maintenance": "maintenance", "Other": "other", "Lắp đặt": "installation",
    "Hỗ trợ ứng dụng": "application_support", "Sửa chữa": "repair", "Bảo trì": "maintenance", "Khác": "other",
}
SEVERITIES = {
    "Low": "low", "Normal": "normal", "High": "high", "Critical": "critical",
    "Thấp": "low", "Bình thường": "normal", "Cao": "high", "Khẩn cấp": "critical",
}
BANDS = {"healthy": "healthy", "watch": "watch", "at risk": "at_risk",
         "khỏe mạnh": "healthy", "cần theo dõi": "watch", "có rủi ro": "at_risk"}
SIGNALS = {
    "Contact rhythm": "contact_rhythm", "Quietness": "quietness", "Order rhythm": "order_rhythm",
    "Promises kept": "promises", "Service targets": "service_targets", "Open case age": "open_cases",
    "Maintenance on time": "maintenance", "Transactional face time": "transactional_share",
    "Technical presence": "technical_presence", "Direct ordering": "portal_share",
    "Shared plans": "shared_plans", "Ideas and information shared": "ideas_info", "Trust ratings": "trust",
    "Last review": "review", "Incoming inspection": "supplier_inspection",
    "Incoming quality": "supplier_quality", "Price pressure": "supplier_price_pressure",
    "Purchasing effort": "supplier_purchasing_cost", "Ideas from the supplier": "supplier_ideas",
    "Promises made to us": "supplier_promises", "Nhịp liên hệ": "contact_rhythm", "Mức im lặng": "quietness",
    "Nhịp đặt hàng": "order_rhythm", "Lời hứa được giữ": "promises", "Mục tiêu dịch vụ": "service_targets",
    "Tuổi của yêu cầu đang mở": "open_cases", "Bảo trì đúng hạn": "maintenance",
    "Thời gian gặp gỡ mang tính giao dịch": "transactional_share",
    "Sự hiện diện của kỹ thuật": "technical_presence", "Đặt hàng trực tiếp": "portal_share",
    "Kế hoạch chung": "shared_plans", "Ý tưởng và thông tin được chia sẻ": "ideas_info",
    "Đánh giá niềm tin": "trust", "Kỳ đánh giá gần nhất": "review", "Kiểm tra hàng nhập": "supplier_inspection",
    "Chất lượng hàng nhập": "supplier_quality", "Áp lực giá": "supplier_price_pressure",
    "Công sức mua hàng": "supplier_purchasing_cost", "Ý tưởng từ nhà cung cấp": "supplier_ideas",
    "Cam kết với chúng tôi": "supplier_promises",
}


def _patterns(*texts: str) -> list[re.Pattern[str]]:
    """A template such as ``was due on %(due)s`` as a full-match pattern with named groups."""
    result = []
    for text in texts:
        pattern = re.escape(text)
        pattern = re.sub(r"%\\\(([a-z_]+)\\\)(?:\\\.1f|[sd])",
                         lambda m: f"(?P<{m.group(1)}>{GROUPS.get(m.group(1), '.+?')})",
                         pattern)
        result.append(re.compile(pattern, re.S))
    return result


def _match(patterns: list[re.Pattern[str]], text: str) -> dict[str, str] | None:
    for pattern in patterns:
        if found := pattern.fullmatch(text.strip()):
            return found.groupdict()
    return None


OVERDUE_THEIRS = _patterns(
    "The supplier's promise “%(what)s” was due on %(due)s (%(days)s days ago).",
    "Cam kết của nhà cung cấp “%(what)s” đến hạn ngày %(due)s (đã %(days)s ngày).",
)
OVERDUE_OURS = _patterns(
    "“%(what)s” was due on %(due)s (%(days)s days ago); %(who)s (%(dept)s) must deliver it.",
    "“%(what)s” đến hạn ngày %(due)s (đã %(days)s ngày); %(who)s (%(dept)s) phải thực hiện.",
)
NEW_OURS = _patterns(
    "%(maker)s (%(dept)s) promised “%(what)s” by %(due)s; %(owner)s (%(ddept)s) must deliver it.",
    "%(maker)s (%(dept)s) đã cam kết “%(what)s” trước ngày %(due)s; %(owner)s (%(ddept)s) phải thực hiện.",
)
NEW_THEIRS = _patterns(
    "%(account)s promised us “%(what)s” by %(due)s; recorded by %(maker)s (%(dept)s).",
    "%(account)s đã cam kết với chúng tôi “%(what)s” trước ngày %(due)s; do %(maker)s (%(dept)s) ghi nhận.",
)
BREACH = _patterns(
    "%(kind)s case “%(title)s” (%(severity)s) missed its target: %(missed)s.",
    "Yêu cầu %(kind)s “%(title)s” (%(severity)s) đã trễ cam kết: %(missed)s.",
)
RESPONSE = re.compile(r"(?:first response was due|hạn phản hồi đầu tiên là) (\d{4}-\d\d-\d\d \d\d:\d\d)")
RESOLUTION = re.compile(r"(?:resolution was due|hạn xử lý xong là) (\d{4}-\d\d-\d\d \d\d:\d\d)")
MAINTENANCE = _patterns(
    "Maintenance “%(plan)s” of %(asset)s was due on %(due)s (%(days)s days overdue).",
    "Bảo trì “%(plan)s” cho %(asset)s đến hạn ngày %(due)s (quá hạn %(days)s ngày).",
)
FIRST_REVIEW = _patterns(
    "No relationship review yet; the first was due on %(due)s.",
    "Chưa có kỳ đánh giá quan hệ nào; kỳ đầu tiên đến hạn ngày %(due)s.",
)
NEXT_REVIEW = _patterns(
    "The last relationship review was on %(held)s; the next was due on %(due)s (%(days)d days ago).",
    "Kỳ đánh giá quan hệ gần nhất là ngày %(held)s; kỳ tiếp theo đến hạn ngày %(due)s (%(days)d ngày trước).",
)
DETERIORATING = _patterns(
    "Health fell about %(change)d points over 90 days, to %(score)d (%(band)s).%(rest)s",
    "Sức khỏe giảm khoảng %(change)d điểm trong 90 ngày, còn %(score)d (%(band)s).%(rest)s",
)
WEAKEST = _patterns("Weakest signals: %(signals)s.", "Các tín hiệu yếu nhất: %(signals)s.")
SQUEEZED = _patterns(
    "Ideas from this supplier dried up (%(ideas_now)d in the last six months against %(ideas_before)d in "
    "the six before) while our price pressure rose (%(now).1f competing bids and re-quotes per order, up "
    "from %(before).1f).",
    "Ý tưởng từ nhà cung cấp này đã cạn (%(ideas_now)d trong sáu tháng qua so với %(ideas_before)d trong "
    "sáu tháng trước đó) trong khi áp lực giá của chúng tôi tăng (%(now).1f lần chào giá cạnh tranh và báo "
    "giá lại mỗi đơn, tăng từ %(before).1f).",
)
MACHINES = re.compile(r"(?:checks the|kiểm tra) (\d+) (?:machines|máy)")
ONE_MACHINE = "checks the machine on site"


def _record(subject: str, prefix: str) -> int | None:
    head, _, tail = subject.partition(":")
    return int(tail) if head == prefix and tail.isdigit() else None


def _moment(text: str) -> str:
    naive = datetime.strptime(text, "%Y-%m-%d %H:%M")
    return timezone.make_aware(naive, timezone.get_default_timezone()).isoformat()


def _int(text: str) -> int | None:
    try:
        return int(text)
    except ValueError:
        return None


def read_params(kind: str, subject: str, explanation: str, action: str) -> dict[str, Any] | None:
    """The facts behind a stored text, or None when it cannot be read back."""
    if kind == "promise_overdue":
        for patterns, direction in ((OVERDUE_THEIRS, "to_us"), (OVERDUE_OURS, "from_us")):
            if (m := _match(patterns, explanation)) and (days := _int(m["days"])) is not None:
                return {"promise": _record(subject, "promise"), "direction": direction, "what": m["what"],
                        "due": m["due"], "days": days, "who": m.get("who"),
                        "dept": DEPARTMENTS.get(m.get("dept", ""), m.get("dept"))}
    elif kind == "promise_new":
        for patterns, direction in ((NEW_OURS, "from_us"), (NEW_THEIRS, "to_us")):
            if m := _match(patterns, explanation):
                return {"promise": _record(subject, "promise"), "direction": direction, "what": m["what"],
                        "due": m["due"], "maker": m["maker"], "dept": DEPARTMENTS.get(m["dept"], m["dept"]),
                        "owner": m.get("owner", ""),
                        "ddept": DEPARTMENTS.get(m.get("ddept", ""), m.get("ddept")),
                        "account": m.get("account", "")}
    elif kind == "sla_breach":
        if m := _match(BREACH, explanation):
            response, resolution = RESPONSE.search(m["missed"]), RESOLUTION.search(m["missed"])
            if response or resolution:
                return {"case": _record(subject, "case"), "kind": CASE_KINDS.get(m["kind"], m["kind"]),
                        "title": m["title"], "severity": SEVERITIES.get(m["severity"], m["severity"]),
                        "response_due": _moment(response.group(1)) if response else None,
                        "resolution_due": _moment(resolution.group(1)) if resolution else None}
    elif kind == "maintenance_overdue":
        if (m := _match(MAINTENANCE, explanation)) and (days := _int(m["days"])) is not None:
            return {"plan": m["plan"], "asset": m["asset"], "due": m["due"], "days": days}
    elif kind == "review_due":
        if m := _match(FIRST_REVIEW, explanation):
            return {"due": m["due"], "held": None, "days": None}
        if (m := _match(NEXT_REVIEW, explanation)) and (days := _int(m["days"])) is not None:
            return {"due": m["due"], "held": m["held"], "days": days}
    elif kind == "health_deteriorating":
        m = _match(DETERIORATING, explanation)
        if m and m["band"] in BANDS and (change := _int(m["change"])) is not None \
                and (score := _int(m["score"])) is not None:
            signals: list[str] = []
            if m["rest"] and (w := _match(WEAKEST, m["rest"])):
                signals = [SIGNALS[label] for label in w["signals"].split(", ") if label in SIGNALS]
            elif m["rest"]:
                return None
            return {"change": change, "score": score, "band": BANDS[m["band"]], "signals": signals}
    elif kind == "supplier_squeezed":
        if m := _match(SQUEEZED, explanation):
            try:
                return {"ideas_now": int(m["ideas_now"]), "ideas_before": int(m["ideas_before"]),
                        "now": float(m["now"]), "before": float(m["before"])}
            except ValueError:
                return None
    elif kind in ("silence", "quiet_customer"):
        found = MACHINES.search(action)
        return {"assets": int(found.group(1)) if found else 1 if ONE_MACHINE in action else 0, "facts": {}}
    return None


def forwards(apps, schema_editor) -> None:
    Alert = apps.get_model("alerts", "Alert")
    changed = []
    rows = Alert.objects.order_by("pk").only("pk", "kind", "subject", "stored_explanation", "stored_action")
    for alert in rows.iterator(chunk_size=2000):
        params = read_params(alert.kind, alert.subject, alert.stored_explanation, alert.stored_action)
        if params is not None:
            alert.params, alert.stored_explanation, alert.stored_action = params, "", ""
            changed.append(alert)
        if len(changed) >= 2000:
            Alert.objects.bulk_update(changed, ["params", "stored_explanation", "stored_action"])
            changed = []
    Alert.objects.bulk_update(changed, ["params", "stored_explanation", "stored_action"])


class Migration(migrations.Migration):

    dependencies = [
        ("alerts", "0004_attention_indexes"),
    ]

    operations = [
        migrations.RenameField(model_name="alert", old_name="explanation", new_name="stored_explanation"),
        migrations.RenameField(model_name="alert", old_name="action", new_name="stored_action"),
        migrations.AlterField(
            model_name="alert", name="stored_explanation",
            field=models.TextField(blank=True, default="", verbose_name="stored explanation"),
        ),
        migrations.AlterField(
            model_name="alert", name="stored_action",
            field=models.CharField(blank=True, default="", max_length=300, verbose_name="stored suggested action"),
        ),
        migrations.AddField(
            model_name="alert", name="params",
            field=models.JSONField(blank=True, default=dict, verbose_name="facts"),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True),
    ]
