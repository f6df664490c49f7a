"""Provincial admins search the audit log in the Django admin by person, office, action, object and time; nobody
adds, changes or deletes a row there, and nobody but them (and superusers) opens it."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from core.audit import record_audit
from core.models import AuditEvent
from graduates import actions as graduate_actions
from tests.factories import unsaved_graduate

pytestmark = pytest.mark.django_db
LIST = "/admin/core/auditevent/"


@pytest.fixture
def events(county_clerk, prefecture_clerk):
    graduate = graduate_actions.create_graduate(graduate=unsaved_graduate(), acting_user=county_clerk)
    viewed = record_audit(action="graduate.viewed", actor=prefecture_clerk, obj=graduate)
    exported = record_audit(
        action="graduate.exported", actor=county_clerk, data={"rows": 150, "purpose": "报送人社部"}
    )
    old = AuditEvent.objects.create(
        action="auth.login", actor=county_clerk, office=county_clerk.office,
        at=timezone.now() - datetime.timedelta(days=40),
    )  # fmt: skip
    return {"graduate": graduate, "viewed": viewed, "exported": exported, "old": old}


def listed(client, **params) -> set[int]:
    response = client.get(LIST, params)
    assert response.status_code == 200, response.status_code
    return {event.pk for event in response.context["cl"].result_list}


def test_provincial_admins_search_by_person_office_action_object_purpose_and_time(
    client, province_admin, county_clerk, prefecture_clerk, events
):
    client.force_login(province_admin)
    everything = listed(client)
    assert {e.pk for e in events.values() if isinstance(e, AuditEvent)} <= everything
    # person: user name or full name
    by_person = listed(client, q=prefecture_clerk.username)
    assert events["viewed"].pk in by_person and events["exported"].pk not in by_person
    assert events["viewed"].pk in listed(client, q=prefecture_clerk.full_name)
    # office: by name in the search box, or the office filter
    by_office = listed(client, office__id__exact=county_clerk.office_id)
    assert events["exported"].pk in by_office and events["viewed"].pk not in by_office
    assert events["viewed"].pk in listed(client, q=prefecture_clerk.office.name)
    # action
    assert listed(client, action="graduate.exported") == {events["exported"].pk}
    # object: its type and number, as the record's link gives them
    graduate = events["graduate"]
    by_object = listed(client, q=f"graduates.graduate {graduate.pk}")
    assert events["viewed"].pk in by_object and events["exported"].pk not in by_object
    # purpose
    assert listed(client, q="报送人社部") == {events["exported"].pk}
    # time: the date hierarchy and a range
    old_day = timezone.localtime(events["old"].at)
    by_day = listed(client, at__year=old_day.year, at__month=old_day.month, at__day=old_day.day)
    assert by_day == {events["old"].pk}
    since = (timezone.now() - datetime.timedelta(days=1)).isoformat()
    assert events["old"].pk not in listed(client, at__gte=since)
    page = client.get(LIST).content.decode()
    assert "报送人社部" in page and "150" in page  # purpose and rows shown in the list


def test_nobody_adds_changes_or_deletes_audit_rows_in_the_admin(
    client, province_admin, events, django_user_model
):
    superuser = django_user_model.objects.create_superuser("root-audit", password="x-Long-pass-123")
    event = events["exported"]
    for user in (province_admin, superuser):
        client.force_login(user)
        page = client.get(LIST).content.decode()
        assert 'name="action"' not in page  # no bulk action (no "delete selected")
        assert reverse("admin:core_auditevent_add") not in page
        assert client.get(reverse("admin:core_auditevent_add")).status_code == 403
        change = reverse("admin:core_auditevent_change", args=[event.pk])
        response = client.get(change)
        assert response.status_code == 200 and "<textarea" not in response.content.decode()  # read-only view
        assert client.post(change, {"action": "rewritten"}).status_code == 403
        assert client.get(reverse("admin:core_auditevent_delete", args=[event.pk])).status_code == 403
        assert (
            client.post(reverse("admin:core_auditevent_delete", args=[event.pk]), {"post": "yes"}).status_code
            == 403
        )
        response = client.post(LIST, {"action": "delete_selected", "_selected_action": [event.pk]})
        assert AuditEvent.objects.filter(pk=event.pk, action="graduate.exported").exists()


def test_only_provincial_admins_and_superusers_open_the_audit_log(
    client, prefecture_clerk, education_clerk, events
):
    for user in (prefecture_clerk, education_clerk):
        client.force_login(user)
        response = client.get(LIST)
        assert response.status_code in (302, 403)
        assert "报送人社部" not in response.content.decode()


def test_the_registrys_field_history_links_to_the_audit_rows_of_its_moment(
    client, province_admin, county_clerk
):
    graduate = graduate_actions.create_graduate(graduate=unsaved_graduate(), acting_user=county_clerk)
    client.force_login(province_admin)
    page = client.get(reverse("admin:graduates_graduate_change", args=[graduate.pk])).content.decode()
    link = page.split(f'href="{LIST}?', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    response = client.get(f"{LIST}?{link}")
    actions = {event.action for event in response.context["cl"].result_list}
    assert "graduate.created" in actions


def test_the_demo_shows_downloads_with_their_purposes_once(client, province_admin, demo_province):
    from core.audit_demo import purposeful_downloads

    assert purposeful_downloads(0) == "3 条注明使用目的的下载记录"
    assert purposeful_downloads(0) is None  # a second run adds nothing
    client.force_login(province_admin)
    assert (
        len(listed(client, q="毕业生")) == 3 and len(listed(client, q="汇总表")) == 1
    )  # searched by purpose
