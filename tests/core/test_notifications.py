"""Notifications: reading the page changes nothing; marking read is a POST (one, or all)."""

from django.urls import reverse

from core.actions import notify
from core.models import Notification


def test_opening_the_page_leaves_notifications_unread(client, county_clerk):
    notify(user=county_clerk, message="名单已检查完毕")
    client.force_login(county_clerk)
    response = client.get(reverse("notifications"))
    assert response.status_code == 200
    assert "名单已检查完毕" in response.content.decode() and "全部标为已读" in response.content.decode()
    assert Notification.objects.filter(user=county_clerk, read_at__isnull=True).count() == 1


def test_mark_all_read_is_a_post(client, county_clerk, prefecture_clerk):
    notify(user=county_clerk, message="一")
    notify(user=county_clerk, message="二")
    notify(user=prefecture_clerk, message="别人的")
    client.force_login(county_clerk)
    response = client.post(reverse("notifications"))
    assert response.status_code == 302
    assert not Notification.objects.filter(user=county_clerk, read_at__isnull=True).exists()
    assert Notification.objects.filter(user=prefecture_clerk, read_at__isnull=True).count() == 1
    assert "已将 2 条通知标为已读" in client.get(reverse("notifications")).content.decode()


def test_mark_one_read(client, county_clerk, prefecture_clerk):
    first = notify(user=county_clerk, message="一")
    second = notify(user=county_clerk, message="二")
    someone_elses = notify(user=prefecture_clerk, message="别人的")
    client.force_login(county_clerk)
    client.post(reverse("notifications"), {"id": first.pk})
    client.post(reverse("notifications"), {"id": someone_elses.pk})  # not theirs: nothing happens
    first.refresh_from_db(), second.refresh_from_db(), someone_elses.refresh_from_db()
    assert first.read_at is not None and second.read_at is None and someone_elses.read_at is None


def test_a_bad_id_answers_a_chinese_message(client, county_clerk):
    client.force_login(county_clerk)
    for bad in ("abc", "-5", "9" * 30, "1\x00"):
        response = client.post(reverse("notifications"), {"id": bad}, follow=True)
        assert response.status_code == 200
        assert "通知编号不正确" in response.content.decode()
