from django.urls import reverse

from aftersale.engagement.models import TopicClass, Touchpoint


def test_it_logs_a_touchpoint_with_participants_and_their_departments(
    owner_client, account, owner, colleague, contact
):
    response = owner_client.post(reverse("log_touchpoint", args=[account.pk]), {
        "occurred_at": "2026-11-20T10:00", "kind": "visit", "initiated_by": "vendor",
        "minutes": "90", "topic": "process_improvement", "summary": "Line audit",
        "participants": [owner.pk, colleague.pk], "contacts": [contact.pk],
    })
    assert response.status_code == 302
    touchpoint = Touchpoint.objects.get()
    assert touchpoint.topic_class == TopicClass.COLLABORATIVE
    assert touchpoint.logged_by == owner
    assert sorted(touchpoint.participants.values_list("department", flat=True)) == [
        "production", "sales"]
    assert list(touchpoint.contacts.all()) == [contact]


def test_it_refuses_a_contact_of_another_account(owner_client, account, other_contact):
    response = owner_client.post(reverse("log_touchpoint", args=[account.pk]), {
        "occurred_at": "2026-11-20T10:00", "kind": "call", "initiated_by": "customer",
        "minutes": "10", "topic": "price", "contacts": [other_contact.pk],
    })
    assert response.status_code == 200
    assert "contacts" in response.context["form"].errors
    assert not Touchpoint.objects.exists()


def test_it_refuses_negative_minutes_and_future_dates(owner_client, account):
    response = owner_client.post(reverse("log_touchpoint", args=[account.pk]), {
        "occurred_at": "2099-01-01T10:00", "kind": "call", "initiated_by": "vendor",
        "minutes": "-5", "topic": "price",
    })
    errors = response.context["form"].errors
    assert "occurred_at" in errors and "minutes" in errors
    assert not Touchpoint.objects.exists()


def test_it_refuses_the_touchpoint_form_to_portal_contacts(client, contact, account):
    client.force_login(contact.user)
    assert client.get(reverse("log_touchpoint", args=[account.pk])).status_code == 403
