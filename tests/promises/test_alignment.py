from datetime import date

from django.urls import reverse

from aftersale.core.enums import Department
from aftersale.promises.measures import PromiseMeasures, promise_measures

JUNE_30 = date(2026, 6, 30)


def test_it_computes_the_matrix_on_a_known_ledger(ledger):
    matrix = promise_measures(JUNE_30, group_by="departments")
    assert matrix == {
        # The spring-2025 promise fell out of the window; the late delivery of
        # 5 July and the renegotiation of 1 July had not happened on 30 June.
        ("sales", "production"): PromiseMeasures(made=6, kept=1, late=1, cancelled=1, open=3, overdue=3),
        ("sales", "service"): PromiseMeasures(made=1, broken=1),
        ("marketing", "service"): PromiseMeasures(made=1, open=1),
    }
    assert matrix[("sales", "production")].on_time_rate == 0.2


def test_it_shows_the_matrix_with_links_to_the_promises_behind_each_cell(manager_client, ledger):
    response = manager_client.get(reverse("promise_alignment"), {"as_of": "2026-06-30"})
    assert response.status_code == 200
    rows = {maker: (cells, total) for maker, _, cells, total in response.context["rows"]}
    deliverers = [value for value, _ in response.context["deliverers"]]
    assert deliverers == ["production", "service"]
    cells, total = rows["sales"]
    assert cells[0].measures.on_time_rate == 0.2
    assert total.measures == PromiseMeasures(made=7, kept=1, late=1, broken=1, cancelled=1, open=3, overdue=3)
    assert "20%" in response.content.decode()

    behind = manager_client.get(cells[0].url)
    assert behind.context["page"].paginator.count == 6
    late = manager_client.get(cells[0].late_url)
    assert [p.pk for p in late.context["page"]] == [ledger["late"].pk]
    overdue = manager_client.get(cells[0].overdue_url)
    assert {p.pk for p in overdue.context["page"]} == {
        ledger["overdue"].pk, ledger["kept_after"].pk, ledger["reneg_after"].pk
    }
    # As of 30 June the promise kept late on 5 July was still open.
    statuses = {p.pk: p.status_then for p in overdue.context["page"]}
    assert statuses[ledger["kept_after"].pk] == "open"


def test_it_counts_suppliers_promises_separately(manager_client, ledger):
    response = manager_client.get(reverse("promise_alignment"), {"as_of": "2026-06-30", "direction": "to_us"})
    rows = {maker: cells for maker, _, cells, _ in response.context["rows"]}
    assert list(rows) == [Department.PURCHASING]
    assert rows[Department.PURCHASING][0].measures == PromiseMeasures(made=1, open=1, overdue=1)


def test_it_uses_one_query_for_the_matrix(manager_client, ledger, django_assert_max_num_queries):
    manager_client.get(reverse("promise_alignment"))  # warm the session
    with django_assert_max_num_queries(3):
        manager_client.get(reverse("promise_alignment"), {"as_of": "2026-06-30"})


def test_it_explains_a_bad_date(manager_client, ledger):
    response = manager_client.get(reverse("promise_alignment"), {"as_of": "2026-02-31"})
    assert response.status_code == 400
    assert "As of “2026-02-31”: This is not a date (use YYYY-MM-DD)." in response.content.decode()


def test_it_shows_a_departments_record_both_ways(owner_client, ledger, colleague, manager):
    response = owner_client.get(
        reverse("promise_department", args=["service"]), {"as_of": "2026-06-30"}
    )
    assert response.status_code == 200
    ctx = response.context
    # Service had to deliver: one sales promise (broken) and one marketing promise (open).
    assert {label: cell.measures for label, cell in ctx["delivered"]} == {
        "Sales": PromiseMeasures(made=1, broken=1),
        "Marketing": PromiseMeasures(made=1, open=1),
    }
    assert ctx["delivered_total"].measures.due == 1
    assert [(p, m.broken) for p, m in ctx["deliverers"]] == [(manager, 1)]
    sales = owner_client.get(reverse("promise_department", args=["sales"]), {"as_of": "2026-06-30"})
    made = {label: cell.measures for label, cell in sales.context["made"]}
    assert made["Production"].overdue == 3
    assert sales.context["made_by_others"].due == 6
    assert owner_client.get(reverse("promise_department", args=["nowhere"])).status_code == 404


def test_it_bounds_the_queries_of_the_department_page(owner_client, ledger, django_assert_max_num_queries):
    owner_client.get(reverse("promise_department", args=["sales"]))
    with django_assert_max_num_queries(7):
        owner_client.get(reverse("promise_department", args=["sales"]), {"as_of": "2026-06-30"})
