"""Public holidays: the holidays package fills the Holiday table, hand-entered days stay."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime
from io import StringIO
from pathlib import Path

import holidays
import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from aftersale.service.holidays import HolidayError, country, do_load_holidays, public_holidays
from aftersale.service.models import Holiday
from aftersale.service.targets import service_calendar

# The table the project shipped (and migration 0005 loaded) before the package replaced it.
SHIPPED_CSV = Path(__file__).parent / "holidays_vn_2020_2035.csv"


def shipped() -> list[tuple[date, str]]:
    with SHIPPED_CSV.open(encoding="utf-8") as f:
        return [(date.fromisoformat(row["date"]), row["name"]) for row in csv.DictReader(f)]


def calendar_days(calendar: str, year: int | None = None) -> list[tuple[date, str]]:
    rows = Holiday.objects.filter(calendar=calendar)
    if year is not None:
        rows = rows.filter(date__year=year)
    return list(rows.order_by("date").values_list("date", "name"))


def load(*args: str) -> str:
    out = StringIO()
    call_command("load_holidays", *args, stdout=out)
    return out.getvalue()


def test_it_finds_the_shipped_vietnamese_days_2020_2035_in_the_package():
    package = sorted(holidays.country_holidays("VN", years=range(2020, 2036), language="vi").items())
    assert len(shipped()) == 237
    assert package == shipped()
    assert public_holidays("vn", range(2020, 2036)) == shipped()


@pytest.mark.django_db
def test_it_migrates_a_fresh_database_to_the_shipped_vietnamese_days():
    assert calendar_days("vn") == shipped()


@pytest.mark.django_db
def test_it_stops_the_service_clock_on_loaded_days(settings):
    service = {**settings.AFTERSALE["SERVICE"], "HOLIDAYS": "de"}
    settings.AFTERSALE = {**settings.AFTERSALE, "SERVICE": service}
    load("DE", "--years", "2030")
    clock = service_calendar()
    assert not clock.is_working_day(date(2030, 10, 3))  # Tag der Deutschen Einheit, a Thursday
    assert clock.is_working_day(date(2030, 10, 2))


@pytest.mark.django_db
def test_it_loads_any_country_for_the_years_asked():
    assert load("de", "--years", "2027-2028") == "18 days added to holiday calendar “de” for 2027-2028.\n"
    days = dict(calendar_days("de"))
    assert days[date(2027, 12, 25)] == "Erster Weihnachtstag"  # named in the country's language
    assert days[date(2028, 10, 3)] == "Tag der Deutschen Einheit"
    assert {d.year for d in days} == {2027, 2028}
    assert load("DEU", "--years", "2029") == "9 days added to holiday calendar “de” for 2029.\n"
    assert Holiday.objects.filter(calendar="de").count() == 27


@pytest.mark.django_db
def test_it_keeps_days_entered_by_hand_and_adds_nothing_twice():
    # An admin moved a day: renamed one the package has, added a bridge day of their own.
    Holiday.objects.create(calendar="vn", date=date(2036, 1, 1), name="Tết Dương lịch (đã sửa)")
    Holiday.objects.create(calendar="vn", date=date(2036, 4, 29), name="Nghỉ bù cầu")
    first = load("VN", "--years", "2036")
    days = dict(calendar_days("vn", 2036))
    assert days[date(2036, 1, 1)] == "Tết Dương lịch (đã sửa)"
    assert days[date(2036, 4, 29)] == "Nghỉ bù cầu"
    package = dict(public_holidays("VN", [2036]))
    assert set(package) <= set(days) and len(days) == len(package) + 1
    assert first.startswith(f"{len(package) - 1} days added")
    assert load("VN", "--years", "2036") == "0 days added to holiday calendar “vn” for 2036.\n"
    assert dict(calendar_days("vn", 2036)) == days
    assert calendar_days("vn", 2035) == [d for d in shipped() if d[0].year == 2035]  # other years untouched


@pytest.mark.django_db
def test_it_loads_this_year_and_the_next_five_by_default():
    with time_machine.travel(datetime(2041, 3, 1, tzinfo=UTC), tick=False):
        output = load("VN")
    assert output.endswith("for 2041-2046.\n")
    years = set(Holiday.objects.filter(calendar="vn", date__year__gt=2035).dates("date", "year"))
    assert {d.year for d in years} == set(range(2041, 2047))


@pytest.mark.django_db
@pytest.mark.parametrize(("args", "message"), [
    (["ZZ"], "No public holidays are known for the country code “ZZ”"),
    (["Vietnam"], "No public holidays are known for the country code “Vietnam”"),
    (["VN", "--years", "2101"], "Public holidays of VN are known for 1901 to 2100 only, not for 2101."),
    (["VN", "--years", "2099-2150"], "Public holidays of VN are known for 1901 to 2100 only, not for 2101."),
    (["VN", "--years", "2035-2030"], "“2035-2030” is not a year or a range of years"),
    (["VN", "--years", "next"], "“next” is not a year or a range of years"),
    (["VN", "--years", "0"], "“0” is not a year or a range of years"),
])
def test_it_names_what_it_cannot_load(args, message):
    with pytest.raises(CommandError, match=message):
        load(*args)
    assert not Holiday.objects.exclude(calendar="vn").exists()
    assert calendar_days("vn") == shipped()  # nothing written


@pytest.mark.django_db
def test_it_answers_in_vietnamese():
    with translation.override("vi"):
        with pytest.raises(CommandError, match="Không biết ngày lễ của mã quốc gia “ZZ”"):
            load("ZZ")
        assert load("VN", "--years", "2036") == "14 ngày được thêm vào lịch nghỉ lễ “vn” cho 2036.\n"


def test_it_knows_a_country_by_either_iso_code_in_any_case():
    assert country("vnm") == country("VN")
    assert country(" gb ").calendar == "gb"
    with pytest.raises(HolidayError):
        country("")


@pytest.mark.django_db
@given(hand=st.dictionaries(
    st.dates(min_value=date(2040, 1, 1), max_value=date(2040, 12, 31)),
    st.text(alphabet=st.characters(codec="utf-8", categories=["L", "N", "Zs"]), min_size=1, max_size=40),
    max_size=8,
))
def test_it_never_changes_what_is_there_and_loads_once(hand):
    Holiday.objects.filter(date__year=2040).delete()
    Holiday.objects.bulk_create([Holiday(calendar="vn", date=d, name=n) for d, n in hand.items()])
    package = dict(public_holidays("VN", [2040]))
    _, added = do_load_holidays("VN", [2040])
    days = dict(calendar_days("vn", 2040))
    assert days == {**package, **hand}  # every package day, and every hand-entered one as entered
    assert added == len(set(package) - set(hand))
    assert do_load_holidays("VN", [2040]) == ("vn", 0)
