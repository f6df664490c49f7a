"""`generate_demo_data`: realistic generated graduates, written with COPY, valid by every check of the form."""

import datetime
from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count

from core.models import AuditEvent, Office, OfficeKind, Region
from graduates import demo_data
from graduates.checks import check_id_number, collect_graduate_errors
from graduates.codes import DESTINATIONS_SETTLED, SourceChannel, State
from graduates.demo_data import generate_graduates
from graduates.models import FollowUpVisit, Graduate, GraduateSource

pytestmark = pytest.mark.django_db

N = 2000


@pytest.fixture
def generated(demo_province):
    generate_graduates(count=N, seed=11, batch_size=700)
    return list(Graduate.objects.select_related("origin_region", "responsible_office"))


def test_command_generates_the_requested_number_and_reports_speed(demo_province):
    out = StringIO()
    call_command("generate_demo_data", "--graduates", str(N), "--batch", "800", stdout=out)
    assert Graduate.objects.count() == N
    assert GraduateSource.objects.count() >= N  # at least one source record per graduate
    text = out.getvalue()
    assert "batch 3/3" in text and "rows/s" in text and "graduates/s" in text
    assert AuditEvent.objects.filter(action="graduates.demo_generated").count() == 3


def test_command_refuses_bad_options(demo_province):
    with pytest.raises(CommandError):
        call_command("generate_demo_data", "--graduates", "10", "--cohorts", "2025,next")
    with pytest.raises(CommandError):
        call_command("generate_demo_data", "--graduates", "10", "--visits", "1.5")
    assert not Graduate.objects.exists()


def test_command_takes_the_cohorts_asked_for(demo_province):
    call_command("generate_demo_data", "--graduates", "300", "--cohorts", "2023,2025", stdout=StringIO())
    assert set(Graduate.objects.values_list("cohort", flat=True)) == {2023, 2025}


def test_creates_the_demo_province_when_it_is_missing(regions):
    assert not Office.objects.filter(kind=OfficeKind.BUREAU).exists()
    generate_graduates(count=50)
    assert Graduate.objects.count() == 50
    assert Office.objects.filter(kind=OfficeKind.BUREAU, region_id="630000").exists()


def test_generates_with_debug_on(demo_province, settings):
    """A developer's DEBUG=1 wraps cursors in Django's CursorDebugWrapper, whose copy_expert takes no keywords."""
    settings.DEBUG = True
    generate_graduates(count=50)
    assert Graduate.objects.count() == 50


def test_every_id_number_passes_the_check_and_agrees_with_gender_and_birth_date(generated):
    for graduate in generated:
        info = check_id_number(graduate.id_number)
        assert (info.gender, info.birth_date) == (graduate.gender, graduate.birth_date), graduate.id_number
        assert not any("不是已知" in warning for warning in info.warnings), graduate.id_number


def test_every_record_passes_every_check_of_the_registration_form(generated):
    errors = {g.pk: collect_graduate_errors(g) for g in generated[:500]}
    assert {pk: e for pk, e in errors.items() if e} == {}


def test_id_numbers_carry_real_region_codes_some_abolished_some_from_other_provinces(generated):
    regions = {r.code: r for r in Region.objects.filter(code__in={g.id_number[:6] for g in generated})}
    abolished = [g for g in generated if regions[g.id_number[:6]].valid_to is not None]
    outside = [g for g in generated if not g.id_number.startswith("63")]
    assert 0.01 * N < len(abolished) < 0.06 * N
    assert all(g.id_number.startswith("63") for g in abolished)
    assert 0.06 * N < len(outside) < 0.14 * N


def test_birth_date_fits_cohort_and_education(generated):
    ages = {"1": (26, 34), "2": (23, 29), "3": (20, 25), "4": (19, 24), "5": (18, 24)}
    for g in generated:
        graduation = datetime.date(g.cohort, 6, 30)
        age = graduation.year - g.birth_date.year - ((g.birth_date.month, g.birth_date.day) > (6, 30))
        low, high = ages[g.education]
        assert low <= age <= high, (g.education, g.birth_date, g.cohort)
    bachelors = Counter(
        g.cohort - g.birth_date.year - (g.birth_date.month > 6) for g in generated if g.education == "3"
    )
    assert bachelors.most_common(1)[0][0] == 22


def test_every_code_list_is_used(generated):
    def values(field):
        return Counter(getattr(g, field) for g in generated)

    def array_values(field):
        return Counter(code for g in generated for code in getattr(g, field))

    assert set(values("education")) == {"1", "2", "3", "4", "5"}
    assert {"01", "03", "04", "30", "35", "02"} <= set(values("ethnicity"))
    assert values("ethnicity").most_common(1)[0][0] == "01"
    assert set(values("gender")) == {"1", "2"}
    assert set(array_values("hardship")) == {"1", "2", "3", "4", "T", "L", "S"}
    assert all(g.hardship == ["4"] or "4" not in g.hardship for g in generated)
    assert set(values("location_intention")) == {"", "1", "2", "3"}
    assert set(array_values("intentions")) == {"1", "2", "3", "4", "5", "6", "7", "8", "9", "A"}
    not_seeking = [g for g in generated if "9" in g.intentions]
    assert not_seeking and all(g.service_needs == [] for g in not_seeking)
    assert set(array_values("service_needs")) == {"1", "2", "3", "4", "5", "6", "7", "8", "9", "A"}
    assert set(values("state")) == set(State.values)
    assert values("state")[State.WAITING] + values("state")[State.VERIFIED] > N / 2
    assert set(array_values("sources")) == set(SourceChannel.values)
    assert set(values("category")) == {"fresh", "previous", "youth"}
    employed = [g for g in generated if g.state == State.EMPLOYED]
    assert employed and all(g.destination in DESTINATIONS_SETTLED for g in employed)
    assert {g.destination for g in employed} >= {"1", "2", "3", "4", "9"}
    assert len({g.major for g in generated}) > 40


def test_contact_details_look_real(generated):
    mobiles = [g.mobile for g in generated]
    assert all(len(m) == 11 and m[0] == "1" and m[1] in "3456789" for m in mobiles)
    assert len(set(mobiles)) > 0.99 * N
    assert 0.2 * N < sum(1 for g in generated if g.email) < 0.5 * N
    assert all(g.postcode.startswith("81") for g in generated if g.postcode)
    assert {g.postcode[:2] for g in generated if g.postcode} == {"81"}


def test_universities_mostly_the_demo_ones_with_their_office_others_by_name(generated):
    demo = dict(Office.objects.universities().values_list("id", "name"))
    with_office = [g for g in generated if g.university_id]
    assert len(with_office) > 0.55 * N
    assert all(demo[g.university_id] == g.university_name for g in with_office)
    by_name_only = {g.university_name for g in generated if g.university_id is None}
    assert "西北师范大学" in by_name_only and not by_name_only & set(demo.values())


def test_origins_mostly_in_qinghai_some_outside_and_some_elsewhere_than_the_id(generated):
    in_qinghai = sum(1 for g in generated if g.origin_region_id.startswith("63"))
    assert 0.88 * N < in_qinghai < 0.97 * N
    assert all(g.origin_region.valid_to is None for g in generated)  # origins are current counties
    moved = [g for g in generated if g.origin_region_id != g.id_number[:6]]
    assert 0.03 * N < len(moved) < 0.15 * N
    prefectures = Counter(g.origin_region_id[:4] for g in generated if g.origin_region_id.startswith("63"))
    assert prefectures.most_common(1)[0][0] == "6301"  # 西宁 is the biggest
    assert len(prefectures) == 8


def test_every_record_is_held_by_the_employment_office_of_its_origin(generated):
    for g in generated:
        office = g.responsible_office
        assert office.is_employment_office
        if g.origin_region_id.startswith("63"):
            assert office.kind in (OfficeKind.PREFECTURE, OfficeKind.COUNTY)
            assert g.origin_region_id.startswith(
                office.region_id[: 6 if office.kind == OfficeKind.COUNTY else 4]
            )
        else:
            assert office.kind == OfficeKind.BUREAU
    counties = [g for g in generated if g.responsible_office.kind == OfficeKind.COUNTY]
    assert counties and all(g.origin_region_id[:4] in ("6301", "6302") for g in counties)


def test_staff_is_mostly_empty_or_a_user_of_the_office(generated):
    with_staff = list(Graduate.objects.filter(staff__isnull=False).select_related("staff"))
    assert all(g.staff.office_id == g.responsible_office_id for g in with_staff)
    offices_with_users = set(Office.objects.filter(users__isnull=False).values_list("id", flat=True))
    theirs = [g for g in generated if g.responsible_office_id in offices_with_users]
    assert 0.15 * len(theirs) < len(with_staff) < 0.35 * len(theirs)


def test_about_a_third_have_visits_and_settled_ones_are_visited(generated):
    visited = Graduate.objects.annotate(n=Count("visits")).filter(n__gt=0)
    assert 0.2 * N < visited.count() < 0.4 * N
    assert set(visited.values_list("n", flat=True)) == {1, 2}
    assert not visited.filter(state=State.WAITING).exists()
    assert not Graduate.objects.filter(state=State.EMPLOYED, visits__isnull=True).exists()
    for visit in FollowUpVisit.objects.filter(outcome="reached").exclude(destination="")[:200]:
        assert visit.destination == visit.graduate.destination
    assert FollowUpVisit.objects.filter(outcome="not_reached").exists()


def test_running_twice_adds_other_graduates(demo_province):
    generate_graduates(count=N, seed=5)
    generate_graduates(count=N, seed=5)
    assert Graduate.objects.count() == 2 * N
    assert Graduate.objects.values("id_number").distinct().count() == 2 * N
    assert not Graduate.objects.values("id_number", "cohort").annotate(n=Count("id")).filter(n__gt=1).exists()


def test_an_id_number_that_already_exists_is_drawn_again(demo_province, monkeypatch):
    first = generate_graduates(count=300, seed=3)
    assert first.id_clashes == 0
    monkeypatch.setattr(demo_data, "_stream_key", lambda seed, existing: f"graduates/{seed}/0")  # same people
    second = generate_graduates(count=300, seed=3)
    assert second.id_clashes >= 300
    assert Graduate.objects.values("id_number").distinct().count() == 600


def test_same_seed_on_an_empty_table_gives_the_same_people(demo_province):
    now = datetime.datetime(2026, 11, 1, 10, tzinfo=datetime.UTC)
    generate_graduates(count=500, seed=42, now=now)
    first = list(
        Graduate.objects.order_by("id").values_list("id_number", "name", "mobile", "origin_region_id")
    )
    Graduate.objects.all().delete()
    generate_graduates(count=500, seed=42, now=now, batch_size=120)
    again = list(
        Graduate.objects.order_by("id").values_list("id_number", "name", "mobile", "origin_region_id")
    )
    assert again == first
    Graduate.objects.all().delete()
    generate_graduates(count=500, seed=43, now=now)
    other = set(Graduate.objects.values_list("id_number", flat=True))
    assert len(other & {row[0] for row in first}) < 5


def test_default_cohorts_are_the_last_three_years_ending_with_this_one():
    assert demo_data.default_cohorts(datetime.date(2026, 3, 1)) == [2024, 2025, 2026]
