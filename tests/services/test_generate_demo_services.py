"""`generate_demo_data --services N`: N generated service entries per generated graduate, set-based, plausible."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count, F
from django.utils import timezone

from graduates.demo_data import generate_graduates
from graduates.models import Graduate
from services.codes import ServiceType
from services.models import ServiceEntry

pytestmark = pytest.mark.django_db


def test_generate_demo_data_adds_service_entries_for_the_new_graduates_only(demo_province):
    generate_graduates(count=40, seed=3)  # already there: they get no entries
    out = StringIO()
    call_command("generate_demo_data", "--graduates", "120", "--services", "3", "--seed", "5", stdout=out)
    new = Graduate.objects.order_by("id")[40:]
    graduated = [g for g in new if g.graduation_date <= timezone.localdate()]
    assert ServiceEntry.objects.count() == 3 * len(graduated) > 0
    assert not ServiceEntry.objects.filter(
        graduate_id__in=[g.pk for g in Graduate.objects.order_by("id")[:40]]
    )
    per = ServiceEntry.objects.values("graduate").annotate(n=Count("id")).values_list("n", flat=True)
    assert set(per) == {3}
    assert "service entries" in out.getvalue()


def test_generated_entries_are_plausible(demo_province):
    call_command(
        "generate_demo_data", "--graduates", "300", "--services", "4", "--seed", "8", stdout=StringIO()
    )
    entries = ServiceEntry.objects.select_related("graduate")
    assert not entries.filter(date__gt=timezone.localdate())
    assert not entries.filter(date__lt=F("graduate__graduation_date"))
    assert not entries.exclude(office=F("graduate__responsible_office"))
    assert set(entries.values_list("service_type", flat=True)) <= set(ServiceType.values)
    assert len(set(entries.values_list("service_type", flat=True))) >= 5
    voided = entries.exclude(voided_at=None)
    assert 0 < voided.count() < entries.count() // 20
    assert not voided.filter(void_reason="") and not voided.filter(voided_by=None)
    assert min(entries.values_list("date", flat=True)) < timezone.localdate() - datetime.timedelta(days=1)


def test_bad_service_counts_are_refused(demo_province):
    with pytest.raises(CommandError, match="between 0 and 100"):
        call_command("generate_demo_data", "--graduates", "5", "--services", "-1", stdout=StringIO())
    with pytest.raises(CommandError, match="between 1 and 100"):
        call_command("generate_demo_services", "--per-graduate", "0", stdout=StringIO())
