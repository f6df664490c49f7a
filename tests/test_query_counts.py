"""Every list and record page runs the same number of SQL queries whatever the number of rows it shows (10 or 50):
a query per row (an N+1) is what turns a page of a million-row registry slow. Speed itself is measured by
bench/pages.py, not here."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.models import User
from graduates import actions
from graduates.models import Graduate
from handover.batches.actions import dispatch_batch
from handover.models import HandoverBatch
from tests.factories import make_id_number, unsaved_graduate
from tests.handover.test_dispatch import education_list
from tests.roster_files import roster_row

pytestmark = pytest.mark.django_db


def queries(client, url: str) -> int:
    """SQL queries of one GET of URL (after a first GET that warms the session, as a clerk's next click)."""
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


def register(count: int, clerk: User, *, start: int = 1) -> list[Graduate]:
    return [
        actions.create_graduate(
            graduate=unsaved_graduate(
                id_number=make_id_number(seq=seq), mobile=f"138{seq:08d}", name=f"计数学生{seq}"
            ),
            acting_user=clerk,
        )
        for seq in range(start, start + count)
    ]


def test_graduate_list_queries_do_not_grow_with_rows(client, county_clerk):
    client.force_login(county_clerk)
    register(10, county_clerk)
    url = reverse("graduates:list") + "?per_page=50"
    few = queries(client, url)
    register(40, county_clerk, start=11)
    many = queries(client, url)
    assert Graduate.objects.count() == 50
    assert many == few
    for extra in ("&state=waiting&sort=name", "&sort=created&hardship=4", "&page=last"):
        assert queries(client, url + extra) == few


def test_graduate_list_next_page_link_runs_as_many_queries_as_the_first(client, county_clerk):
    register(60, county_clerk)
    client.force_login(county_clerk)
    first = client.get(reverse("graduates:list"), {"per_page": 25})
    page = first.context["page"]
    assert page.has_next() and page.number == 1
    url = reverse("graduates:list") + f"?per_page=25&{page.next_params}"
    second = client.get(url).context["page"]
    in_order = list(Graduate.objects.order_by("-updated_at", "-id").values_list("id", flat=True)[:50])
    assert second.number == 2
    assert [r["id"] for r in [*page.object_list, *second.object_list]] == in_order
    back = client.get(reverse("graduates:list") + f"?per_page=25&{second.previous_params}").context["page"]
    assert [r["id"] for r in back.object_list] == in_order[:25] and back.number == 1
    assert queries(client, url) == queries(client, reverse("graduates:list") + "?per_page=25")


def test_record_page_queries_do_not_grow_with_its_history(client, county_clerk):
    """Staff assignments write history rows whose values are user ids, visits write visit rows: the timeline
    names the users without a query per row."""
    graduate = register(1, county_clerk)[0]
    colleague = User.objects.create_user(
        username="chengdong2", password="x", office=county_clerk.office, role=county_clerk.role
    )
    client.force_login(county_clerk)
    url = reverse("graduates:detail", args=[graduate.pk])

    def add_history(count: int) -> None:
        for n in range(count):
            actions.assign_staff(
                graduates=Graduate.objects.filter(pk=graduate.pk),
                staff=[colleague, county_clerk][n % 2],
                acting_user=county_clerk,
            )
            actions.record_visit(
                graduate=Graduate.objects.get(pk=graduate.pk),
                acting_user=county_clerk,
                visited_on=timezone.localdate(),
                method="phone",
            )

    add_history(4)
    few = queries(client, url)
    add_history(20)
    many = queries(client, url)
    assert Graduate.objects.get(pk=graduate.pk).changes.count() > 20
    assert many == few


def received(admin: User, count: int, *, start: int, origin: str = "630102", **extra) -> None:
    rows = [roster_row(n, **{"入学前户口所在地": origin, **extra}) for n in range(start, start + count)]
    education_list(admin, rows)
    for batch in HandoverBatch.objects.filter(dispatched_at__isnull=True):
        dispatch_batch(batch=batch, acting_user=admin)


def test_worklist_queries_do_not_grow_with_rows(client, province_admin, prefecture_clerk):
    received(province_admin, 10, start=1)
    client.force_login(prefecture_clerk)
    url = reverse("handover:worklist")
    few = queries(client, url)
    received(province_admin, 40, start=11)
    many = queries(client, url)
    assert client.get(url).context["page"].count == 50
    assert many == few
    assert queries(client, url + "?page=last") == few


def test_unassigned_queue_queries_do_not_grow_with_rows(client, province_admin):
    """Graduates whose origin is outside the province wait in the bureau's queue, each with a suggested office."""
    outside = {"毕业院校": "青海某职业技术学院"}
    received(province_admin, 10, start=1, origin="620102", **outside)
    client.force_login(province_admin)
    url = reverse("handover:unassigned")
    few = queries(client, url)
    received(province_admin, 40, start=11, origin="620102", **outside)
    many = queries(client, url)
    assert client.get(url).context["page"].paginator.count == 50
    assert many == few


def test_transfers_page_queries_do_not_grow_with_rows(client, county_clerk, other_prefecture_clerk):
    from handover.transfers.actions import request_transfer

    def ask(graduates):
        for graduate in graduates:
            request_transfer(
                graduate=graduate,
                to_office=other_prefecture_clerk.office,
                reason="现居外地",
                acting_user=county_clerk,
            )

    ask(register(10, county_clerk))
    client.force_login(county_clerk)
    url = reverse("transfers:list")
    few = queries(client, url)
    ask(register(40, county_clerk, start=11))
    many = queries(client, url)
    assert many == few
    client.force_login(other_prefecture_clerk)
    assert queries(client, url) == few  # the receiving side: 50 requests in its inbox


def test_progress_queries_do_not_grow_with_rows_or_offices(client, province_admin, prefecture_clerk):
    received(province_admin, 10, start=1)
    client.force_login(province_admin)
    url = reverse("reporting:progress")
    few = queries(client, url)
    client.force_login(prefecture_clerk)
    prefecture_few = queries(client, url)
    received(province_admin, 40, start=11, origin="632221")  # another prefecture too
    received(province_admin, 20, start=51, origin="630103")
    assert queries(client, url) == prefecture_few
    client.force_login(province_admin)
    assert queries(client, url) == few


def test_imports_list_queries_do_not_grow_with_rows(client, county_clerk):
    from graduates.roster import actions as roster
    from tests.roster_files import roster_bytes

    content = roster_bytes([roster_row(1)])

    def upload(count: int) -> None:
        for _ in range(count):
            roster.create_upload(
                content=content, filename="名单.xlsx", source="office", cohort=2026, acting_user=county_clerk
            )

    upload(3)
    client.force_login(county_clerk)
    url = reverse("roster:list")
    few = queries(client, url)
    upload(25)
    assert queries(client, url) == few


def test_worklist_links_walk_every_graduate_once_in_hand_over_order(province_admin, prefecture_clerk):
    """下一页 from the first page to the end and 上一页 back: the handed-over graduates by their first hand-over,
    then those registered by the office itself (never handed over), each once."""
    from handover.contact.selectors import worklist_page

    received(province_admin, 12, start=1)
    own = register(5, prefecture_clerk, start=500)  # the office's own registrations: no hand-over
    handed_over = Graduate.objects.exclude(pk__in=[g.pk for g in own]).order_by("id")
    expected = [g.pk for g in handed_over] + [g.pk for g in own]  # one dispatch: same time, then id

    pages, params = [], {}
    while True:
        page = worklist_page(user=prefecture_clerk, params=params, per_page=5)
        pages.append(page)
        if not page.has_next():
            break
        params = dict(p.split("=") for p in page.next_params.split("&"))
    assert [g.pk for p in pages for g in p.object_list] == expected
    assert [p.number for p in pages] == [1, 2, 3, 4]
    assert all(g.handed_over is not None for g in pages[0].object_list)

    last = worklist_page(user=prefecture_clerk, params={"page": "last"}, per_page=5)
    assert [g.pk for g in last.object_list] == expected[15:] and last.number == 4
    back = [last]
    while back[-1].has_previous():
        params = dict(p.split("=") for p in back[-1].previous_params.split("&"))
        back.append(worklist_page(user=prefecture_clerk, params=params, per_page=5))
    assert [g.pk for p in reversed(back) for g in p.object_list] == expected
    assert back[-1].number == 1


def test_a_list_beyond_the_cap_says_about_how_many(client, county_clerk, monkeypatch):
    """Past the cap the list is not counted: it says 约 (the planner's estimate) and still pages by its links."""
    from graduates import paging

    register(8, county_clerk)
    client.force_login(county_clerk)
    monkeypatch.setattr(paging, "COUNT_CAP", 5)
    response = client.get(reverse("graduates:list"), {"per_page": 25})
    text = response.content.decode()
    assert "约 <strong>" in text and "共 <strong>" not in text
    assert len(response.context["page"].object_list) == 8
    monkeypatch.setattr(paging, "COUNT_CAP", 10)
    assert "共 <strong>8</strong> 名" in client.get(reverse("graduates:list")).content.decode()


def test_next_page_continues_after_the_clerk_acted_on_the_last_row(province_admin, prefecture_clerk):
    """The clerk records a contact for the page's last graduate (who leaves the worklist), then clicks 下一页:
    the next page starts right after that graduate, nobody skipped."""
    from handover.contact.actions import record_contact
    from handover.contact.selectors import worklist_page

    received(province_admin, 9, start=1)
    first = worklist_page(user=prefecture_clerk, params={}, per_page=4)
    expected_next = [
        g.pk for g in worklist_page(user=prefecture_clerk, params={"page": "2"}, per_page=4).object_list
    ]
    record_contact(
        graduate=first.object_list[-1], method="phone", outcome="verified", acting_user=prefecture_clerk
    )
    params = dict(p.split("=") for p in first.next_params.split("&"))
    assert [
        g.pk for g in worklist_page(user=prefecture_clerk, params=params, per_page=4).object_list
    ] == expected_next


def test_a_cursor_outside_the_scope_shows_nothing(client, county_clerk, other_prefecture_clerk):
    """下一页 from a record of another office (a crafted URL) does not place that record among the user's own."""
    register(3, county_clerk)
    elsewhere = actions.create_graduate(
        graduate=unsaved_graduate(id_number=make_id_number(region="630202", seq=77), mobile="13900000077"),
        acting_user=other_prefecture_clerk,
    )
    client.force_login(county_clerk)
    response = client.get(reverse("graduates:list"), {"after": elsewhere.pk})
    assert list(response.context["page"].object_list) == []
    response = client.get(reverse("graduates:list"), {"before": elsewhere.pk})
    assert list(response.context["page"].object_list) == []
