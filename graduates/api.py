"""REST API resources of this app (mounted by config/api_urls.py)."""


def register(router) -> None:
    """Register this app's viewsets on the API router."""
