"""The living demo's services step: every office holding graduates shows real work; a second run adds nothing."""

from core.models import User
from services.demo import ONE_BY_ONE, load_services
from services.models import ServiceEntry
from services.selectors import entries_visible_to


def test_demo_step_logs_services_of_every_origin_through_the_actions_once(
    county_clerk, other_prefecture_clerk, register
):
    for seq in range(1, 2 * (ONE_BY_ONE + 4), 2):
        register(county_clerk, seq=seq)
    register(other_prefecture_clerk, seq=501, region="630202")
    summary = load_services(300)
    assert summary is not None and summary.startswith("服务记录")
    for username in ("sheng", "xining", "haidong", "chengdong"):
        assert entries_visible_to(User.objects.get(username=username)).exists(), username
    chengdong = entries_visible_to(county_clerk)
    assert set(chengdong.values_list("origin", flat=True)) == {"record", "bulk", "ledger"}
    assert chengdong.filter(voided_at__isnull=False).exists()
    before = ServiceEntry.objects.count()
    assert load_services(300) is None
    assert ServiceEntry.objects.count() == before


def test_demo_postings_step_fills_postings_events_recommendations_and_specialists_once(
    prefecture_clerk, other_prefecture_clerk, register
):
    from services.demo import load_postings
    from services.models import JobPosting, OneOnOne, RecruitmentEvent

    for seq in range(1, 8):
        register(prefecture_clerk, seq=seq, hardship=["1"] if seq < 4 else ["4"])
    summary = load_postings(300)
    assert summary is not None and summary.startswith("岗位")
    assert JobPosting.objects.filter(office=prefecture_clerk.office).count() == 5
    assert RecruitmentEvent.objects.filter(office=prefecture_clerk.office, kind="professional").exists()
    assert ServiceEntry.objects.filter(posting__isnull=False, office=prefecture_clerk.office).count() == 6
    assert OneOnOne.objects.filter(office=prefecture_clerk.office).count() == 2
    before = (JobPosting.objects.count(), RecruitmentEvent.objects.count(), ServiceEntry.objects.count())
    assert load_postings(300) is None
    assert (
        JobPosting.objects.count(),
        RecruitmentEvent.objects.count(),
        ServiceEntry.objects.count(),
    ) == before
