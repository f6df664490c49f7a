"""Graduates of generated people, registered through the registry's real action."""

import pytest

from core.models import Region
from graduates.actions import create_graduate
from tests.factories import make_id_number, unsaved_graduate


@pytest.fixture
def register():
    def _register(user, *, seq: int = 101, region: str = "630102", **overrides):
        graduate = unsaved_graduate(
            id_number=overrides.pop("id_number", make_id_number(seq=seq)),
            origin_region=Region.objects.get(code=region),
            name=overrides.pop("name", f"服务测试{seq}"),
            **overrides,
        )
        return create_graduate(graduate=graduate, acting_user=user)

    return _register


@pytest.fixture
def graduate(county_clerk, register):
    """A graduate of 城东区 (西宁市), registered by the county office."""
    return register(county_clerk)


@pytest.fixture
def haidong_graduate(other_prefecture_clerk, register):
    """A graduate of 海东市, outside 西宁's scope."""
    return register(other_prefecture_clerk, seq=303, region="630202")


def ensure_service_standards() -> None:
    """The presets and the hourly refresh's schedule come with data migrations; a transactional test's flush
    (browser tests, race tests) empties them, so load them again (both loaders are idempotent)."""
    import importlib

    from django.apps import apps
    from django.conf import settings

    from services.models import ServiceStandard, StandardRule
    from services.presets import load_presets

    load_presets(ServiceStandard, StandardRule, settings.PROVINCE_CODE)
    importlib.import_module("services.migrations.0007_refresh_obligations_schedule").schedule(apps, None)


@pytest.fixture
def service_standards(db):
    ensure_service_standards()


@pytest.fixture
def demo_province(demo_province, service_standards):
    """The demo province with its service standards (qinghai active)."""
