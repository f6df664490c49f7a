import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from core.demo import DEMO_PASSWORD, DEMO_USERS
from core.models import Office, OfficeKind, Region, RegionLevel, User


@pytest.mark.django_db
def test_seed_demo_builds_qinghai_with_its_eight_prefecture_offices(capsys):
    call_command("seed_demo")
    prefectures = Office.objects.filter(kind=OfficeKind.PREFECTURE).order_by("region_id")
    assert [o.region_id for o in prefectures] == [
        "630100", "630200", "632200", "632300", "632500", "632600", "632700", "632800",
    ]  # fmt: skip
    assert Office.objects.get(kind=OfficeKind.BUREAU).name == "青海省就业服务局"
    assert Office.objects.filter(kind=OfficeKind.EDUCATION, region_id="630000").exists()
    out = capsys.readouterr().out
    assert DEMO_PASSWORD in out and "chengdong" in out


@pytest.mark.django_db
def test_every_current_county_of_qinghai_has_an_office_under_its_prefecture():
    call_command("seed_demo")
    counties = Region.objects.current().filter(level=RegionLevel.COUNTY, code__startswith="63")
    counties = counties.exclude(name="市辖区")
    offices = Office.objects.filter(kind=OfficeKind.COUNTY).select_related("parent")
    assert offices.count() == counties.count() > 40
    assert all(o.parent.region_id == o.region_id[:4] + "00" for o in offices)


@pytest.mark.django_db
def test_universities_carry_school_code_and_province_run_flag():
    call_command("seed_demo")
    qhu = Office.objects.get(school_code="4163010743")
    assert (qhu.name, qhu.kind, qhu.is_province_run) == ("青海大学", OfficeKind.UNIVERSITY, True)
    lzu = Office.objects.get(name="兰州大学")
    assert lzu.region_id.startswith("62") and not lzu.is_province_run


@pytest.mark.django_db
def test_seed_demo_is_idempotent():
    call_command("seed_demo")
    before = (Office.objects.count(), User.objects.count(), list(Office.objects.values_list("id", "name")))
    call_command("seed_demo")
    after = (Office.objects.count(), User.objects.count(), list(Office.objects.values_list("id", "name")))
    assert before == after


@pytest.mark.django_db
def test_every_demo_user_logs_in_with_the_printed_password_and_has_a_matching_office():
    call_command("seed_demo")
    for demo in DEMO_USERS:
        user = authenticate(username=demo.username, password=DEMO_PASSWORD)
        assert user is not None, demo.username
        user.full_clean()  # role and office agree
    assert User.objects.get(username="sheng").is_staff
    assert not User.objects.get(username="chengdong").is_staff


@pytest.mark.django_db
def test_registered_demo_steps_run_in_order_and_bare_skips_them(capsys):
    from core import demo

    ran: list[tuple[str, int]] = []
    saved = dict(demo._DEMO_STEPS)
    try:
        demo.register_demo_step(20, "第二步", lambda size: ran.append(("b", size)) or "二")
        demo.register_demo_step(10, "第一步", lambda size: ran.append(("a", size)) or None)
        call_command("seed_demo", "--bare")
        assert ran == []
        call_command("seed_demo", "--graduates", "600")
        assert [name for name, _ in ran] == ["a", "b"] and ran[0][1] == 600
        out = capsys.readouterr().out
        assert "第二步：二" in out and "第一步" not in out and "chengdong" in out
    finally:
        demo._DEMO_STEPS.clear()
        demo._DEMO_STEPS.update(saved)
