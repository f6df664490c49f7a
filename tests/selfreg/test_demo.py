"""The demo's self-registrations: new people and listed ones (one conflict), one overdue, one contacted."""

import pytest
from django.test import Client

from graduates.actions import create_graduate
from graduates.models import SelfRegistration
from graduates.selfreg.demo import load_self_registrations
from tests.factories import make_id_number, unsaved_graduate

pytestmark = pytest.mark.django_db


def test_the_demo_fills_the_offices_worklist_once(prefecture_clerk, county_clerk):
    for seq in (701, 703):  # two people already on the lists (the demo's registry step makes them)
        create_graduate(
            graduate=unsaved_graduate(id_number=make_id_number("630102", "20030415", seq)),
            acting_user=county_clerk,
        )
    assert load_self_registrations(0) == "7 条本人登记"
    assert load_self_registrations(0) is None  # a second run adds nothing
    leads = SelfRegistration.objects.all()
    assert leads.filter(created_record=False).count() == 2
    assert leads.filter(status="contacted").count() == 1
    conflicted = leads.exclude(conflicts=[]).get()
    assert [c["field"] for c in conflicted.conflicts] == ["mobile"]
    client = Client()
    client.force_login(prefecture_clerk)
    page = client.get("/graduates/self-registrations/").content.decode()
    assert page.count('data-testid="selfreg-lead"') >= 4
    assert "逾期" in page and "经办填写" in page
