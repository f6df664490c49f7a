"""The progress pages' old addresses under /handover/reports/ (before they moved to reporting): permanent
redirects that keep the query string, so bookmarks and links in old mails still work. Included by config/urls.py."""

from django.urls import path
from django.views.generic import RedirectView


def _moved(name: str) -> RedirectView:
    return RedirectView.as_view(pattern_name=f"reporting:{name}", permanent=True, query_string=True)


urlpatterns = [
    path("", _moved("progress")),
    path("weekly.xlsx", _moved("weekly")),
    path("mohrss.xlsx", _moved("mohrss")),
]
