"""Every class of bad input is reported by row, column and value, and nothing of the file is written."""

from __future__ import annotations

import pytest

from aftersale.accounts.models import Account
from aftersale.commerce.models import Order, Product
from aftersale.imports.engine import ImportResult
from aftersale.imports.problems import Problem
from aftersale.promises.models import Promise
from aftersale.service.models import Asset, ServiceCase
from aftersale.staff.models import User
from tests.imports.conftest import import_sample, messages, run_import

ORDERS = "external_id,account,placed_at,total,channel\n"


@pytest.fixture
def accounts(db):
    import_sample("staff")
    import_sample("accounts")
    import_sample("products")


def only(result: ImportResult) -> Problem:
    assert len(result.problems) == 1, messages(result)
    return next(iter(result.problems))


def assert_nothing_written(result: ImportResult, model=Order) -> None:
    assert not result.ok
    assert not result.written
    assert model.objects.count() == 0


def test_it_reports_unknown_missing_and_repeated_columns(accounts):
    result = run_import(
        "orders", "external_id,account,placed,total,total,colour\nO-1,ACC-001,2024-01-01,1,2,red\n"
    )
    problems = [(p.row, p.column) for p in result.problems]
    assert problems == [(1, "placed"), (1, "total"), (1, "colour"), (1, "placed_at")]
    assert "Unknown column" in messages(result)[0]
    assert "external_id, account, placed_at, total, channel" in messages(result)[0]
    assert "appears twice" in messages(result)[1]
    assert "required column is missing" in messages(result)[3]
    assert_nothing_written(result)


def test_it_reports_every_unreadable_value_with_its_row_and_column(accounts):
    result = run_import("orders", ORDERS + (
        "O-1,ACC-001,2024-13-01,10,rep\n"
        "O-2,ACC-001,2024-01-01,\"1,000.00\",rep\n"
        "O-3,ACC-001,yesterday,10.555,fax\n"
        "O-4,ACC-001,2024-01-01,10,rep\n"
        ",ACC-001,2024-01-01,10,rep\n"
    ))
    assert [(p.row, p.column, p.value) for p in result.problems] == [
        (2, "placed_at", "2024-13-01"),
        (3, "total", "1,000.00"),
        (4, "placed_at", "yesterday"),
        (4, "total", "10.555"),
        (4, "channel", "fax"),
        (6, "external_id", ""),
    ]
    text = messages(result)
    assert text[0].startswith("row 2, column placed_at, value '2024-13-01': not an ISO 8601 date-time")
    assert "use a dot for decimals" in text[1]
    assert "at most 2 decimal places" in text[3]
    assert "unknown value; use one of rep|portal|phone|edi" in text[4]
    assert "A value is required" in text[5]
    assert_nothing_written(result)


def test_it_refuses_unknown_enumerations_exactly_as_written(accounts):
    result = run_import("accounts", "external_id,name,tier,owner_email\nA-9,X,Key,an.nguyen@vendor.test\n")
    assert (only(result).column, only(result).value) == ("tier", "Key")
    assert "strategic|key|standard" in only(result).message


def test_it_reports_references_to_rows_that_do_not_exist(accounts):
    result = run_import("orders", ORDERS + "O-1,ACC-404,2024-01-01,10,rep\nO-2,ACC-001,2024-01-01,10,rep\n")
    problem = only(result)
    assert (problem.row, problem.column, problem.value) == (2, "account", "ACC-404")
    assert "no account with this external_id" in problem.message
    assert_nothing_written(result)


def test_it_accepts_only_staff_as_owners(accounts, contact):
    result = run_import(
        "accounts", f"external_id,name,owner_email\nA-9,X,{contact.email}\nA-10,Y,nobody@x.test\n"
    )
    assert [(p.row, p.column) for p in result.problems] == [(2, "owner_email"), (3, "owner_email")]
    assert "no staff member with this e-mail" in messages(result)[0]
    assert not Account.objects.filter(external_id__in=["A-9", "A-10"]).exists()


def test_it_refuses_to_turn_a_portal_login_into_staff(db, contact):
    result = run_import("staff", f"email,name,department\n{contact.email},X,sales\n")
    assert "portal login" in only(result).message
    assert User.objects.get(email=contact.email).role == ""


def test_it_reports_duplicate_keys_within_a_chunk_and_across_chunks(accounts):
    rows = "".join(f"O-{i},ACC-001,2024-01-01,10,rep\n" for i in range(5))
    text = ORDERS + rows + "O-1,ACC-001,2024-01-01,10,rep\n"
    result = run_import("orders", text)
    assert (only(result).row, only(result).column, only(result).value) == (7, "external_id", "O-1")
    assert "row 3 has the same external_id" in only(result).message
    result = run_import("orders", text, chunk_size=2)
    assert (only(result).row, only(result).value) == (7, "O-1")
    assert "an earlier row of this file" in only(result).message
    assert_nothing_written(result)


def test_it_reports_a_duplicate_of_a_stored_row_seen_earlier_in_the_file(accounts):
    run_import("orders", ORDERS + "O-1,ACC-001,2024-01-01,10,rep\n")
    result = run_import("orders", ORDERS + "O-1,ACC-001,2024-01-01,10,rep\nO-2,ACC-001,2024-01-01,1,rep\n"
                        "O-1,ACC-001,2024-01-01,12,rep\n", chunk_size=2)
    assert (only(result).row, only(result).value) == (4, "O-1")
    assert Order.objects.get(external_id="O-1").total == 10


def test_it_reports_negative_amounts(accounts):
    result = run_import("orders", ORDERS + "O-1,ACC-001,2024-01-01,-5,rep\n")
    assert (only(result).column, only(result).value) == ("total", "-5")
    assert "must not be negative" in only(result).message
    assert_nothing_written(result)
    result = run_import("products", "external_id,name,kind,unit_cost\nP-1,X,part,-0.01\n")
    assert only(result).column == "unit_cost"
    assert not Product.objects.filter(external_id="P-1").exists()


def test_it_reports_a_case_resolved_before_it_was_opened(accounts):
    result = run_import(
        "cases",
        "external_id,account,opened_at,kind,first_response_at,resolved_at\n"
        "C-1,ACC-001,2024-03-10T09:00:00,repair,2024-03-10T08:00:00,2024-03-09\n",
    )
    assert [(p.column, p.value) for p in result.problems] == [
        ("first_response_at", "2024-03-10T08:00:00"), ("resolved_at", "2024-03-09"),
    ]
    assert "before the case was opened (2024-03-10T09:00:00+07:00)" in messages(result)[1]
    assert_nothing_written(result, ServiceCase)


def test_it_reports_a_promise_due_before_it_was_made(accounts):
    header = ("external_id,account,made_at,made_by_email,made_by_department,stage,description,due_at,"
              "delivery_owner_email,delivery_department,status,closed_at\n")
    result = run_import("promises", header + (
        "P-1,ACC-001,2024-03-10,an.nguyen@vendor.test,sales,sale,Giao hàng,2024-03-01,"
        "binh.tran@vendor.test,service,open,\n"
        "P-2,ACC-001,2024-03-10,an.nguyen@vendor.test,sales,sale,Giao hàng,2024-04-01,"
        "binh.tran@vendor.test,service,kept,\n"
        "P-3,ACC-001,2024-03-10,an.nguyen@vendor.test,sales,sale,Giao hàng,2024-04-01,"
        "binh.tran@vendor.test,service,open,2024-03-20\n"
        "P-4,ACC-001,2099-03-10,an.nguyen@vendor.test,sales,sale,Giao hàng,2099-04-01,"
        "binh.tran@vendor.test,service,open,\n"
    ))
    assert [(p.row, p.column) for p in result.problems] == [
        (2, "due_at"), (3, "closed_at"), (4, "closed_at"), (5, "made_at"),
    ]
    assert "due date cannot be before the date the promise was made (2024-03-10)" in messages(result)[0]
    assert_nothing_written(result, Promise)


def test_it_reports_assets_that_break_the_installed_base_rules(accounts):
    import_sample("assets")
    result = run_import("assets", "external_id,account,product,serial,installed_at,warranty_until\n"
                        "A-1,ACC-001,PRD-CNC5,X-1,2024-05-01,2024-04-30\n"
                        "A-2,ACC-001,PRD-CNC5,CNC5-2023-0142,2024-05-01,\n")
    assert [(p.row, p.column) for p in result.problems] == [(2, "warranty_until"), (3, "serial")]
    assert "Asset AST-001 of the same product already has this serial number" in messages(result)[1]
    assert Asset.objects.count() == 3


def test_it_refuses_an_asset_of_another_account_on_a_case(accounts):
    import_sample("assets")
    result = run_import(
        "cases", "external_id,account,opened_at,kind,asset\nC-1,ACC-003,2024-01-01,repair,AST-001\n"
    )
    assert (only(result).column, only(result).value) == ("asset", "AST-001")
    assert "belongs to another account" in only(result).message


def test_it_refuses_to_rewrite_a_closed_promise(accounts):
    import_sample("contacts")
    import_sample("promises")
    result = run_import("promises", (
        "external_id,account,made_at,made_by_email,made_by_department,stage,description,due_at,"
        "delivery_owner_email,delivery_department,status,closed_at\n"
        "PRM-003,ACC-002,2024-01-15,binh.tran@vendor.test,service,after_sale,x,2024-04-15,"
        "dung.pham@vendor.test,production,kept,2024-04-20\n"
    ))
    assert only(result).column == "status"
    assert "already closed" in only(result).message
    assert Promise.objects.get(external_id="PRM-003").status == "broken"


def test_it_reports_rows_with_the_wrong_number_of_cells(accounts):
    result = run_import("orders", ORDERS + "O-1,ACC-001,2024-01-01,10\nO-2,ACC-001,2024-01-01,10,rep,extra\n")
    assert [p.row for p in result.problems] == [2, 3]
    assert "4 cells but the header has 5 columns" in messages(result)[0]
    assert_nothing_written(result)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (ORDERS.encode() + "O-1,ACC-001,2024-01-01,10,rep\n".encode("cp1258") + "Đ".encode("cp1258"),
         "row 3: The file is not UTF-8 text"),
        (b"PK\x03\x04\x14\x00\x06\x00" + b"\x00" * 40, "spreadsheet workbook (.xlsx)"),
        ("external_id,account\n".encode("utf-16"), "UTF-16"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not a text file"),
        (b"", "The file is empty"),
        (b"external_id;account;placed_at;total\nO-1;ACC-001;2024-01-01;1\n", "separated by commas"),
        ((ORDERS + 'O-1,ACC-001,2024-01-01,"10,rep\n').encode(), "Not valid CSV"),
    ],
    ids=["not-utf8", "xlsx", "utf16", "binary", "empty", "semicolons", "bad-quotes"],
)
def test_it_refuses_files_that_are_not_utf8_csv(accounts, data, message):
    result = run_import("orders", data)
    assert any(message in text for text in messages(result)), messages(result)
    assert_nothing_written(result)


def test_it_writes_nothing_when_only_the_last_row_is_bad(accounts):
    rows = "".join(f"O-{i},ACC-001,2024-01-01,10,rep\n" for i in range(25))
    result = run_import("orders", ORDERS + rows + "O-bad,ACC-001,2024-02-30,10,rep\n", chunk_size=10)
    assert only(result).row == 27
    assert result.created == 25  # counted as it would have gone...
    assert_nothing_written(result)  # ...but rolled back


def test_it_collects_every_problem_up_to_a_cap(accounts):
    rows = "".join(f"O-{i},ACC-001,never,-1,rep\n" for i in range(700))
    result = run_import("orders", ORDERS + rows)
    assert result.problems.total == 1400
    assert len(result.problems.items) == 1000
    assert result.problems.not_shown == 400


def test_it_counts_a_dry_run_without_writing(accounts):
    result = run_import("orders", ORDERS + "O-1,ACC-001,2024-01-01,10,rep\n", dry_run=True)
    assert result.ok and (result.created, result.rows) == (1, 1)
    assert not result.written
    assert Order.objects.count() == 0


def test_it_reports_the_same_problems_on_a_dry_run(accounts):
    text = ORDERS + "O-1,ACC-404,2024-01-01,10,rep\n"
    assert messages(run_import("orders", text, dry_run=True)) == messages(run_import("orders", text))


def test_it_reports_an_impossible_day_among_valid_date_times_with_its_row(accounts):
    result = run_import("orders", ORDERS + (
        "O-1,ACC-001,2025-02-28T08:00:00,10,rep\n"
        "O-2,ACC-001,2025-02-30T08:00:00,10,rep\n"
        "O-3,ACC-001,2025-02-28T08:15:30.250000Z,10,rep\n"
    ))
    assert [(p.row, p.column, p.value) for p in result.problems] == [
        (3, "placed_at", "2025-02-30T08:00:00"),
    ]
    assert messages(result) == [
        "row 3, column placed_at, value '2025-02-30T08:00:00': not an ISO 8601 date-time "
        "(YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS, optional offset)",
    ]
    assert_nothing_written(result)
