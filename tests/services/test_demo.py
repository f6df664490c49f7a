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
