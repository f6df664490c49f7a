"""Navigation entry and home-page counter of transfers. HandoverConfig.ready() calls `register()`."""

from __future__ import annotations


def register() -> None:
    from core.models import Role
    from core.navigation import register_counter, register_nav

    from .selectors import inbox

    register_nav(
        label="转移",
        url_name="transfers:list",
        roles=[Role.PROVINCE_ADMIN, Role.PREFECTURE_STAFF, Role.COUNTY_STAFF],
        order=31,
    )
    register_counter(
        label="待处理的转移申请",
        url_name="transfers:list",
        count=lambda user: inbox(user).count(),
        roles=[Role.PREFECTURE_STAFF, Role.COUNTY_STAFF],
        order=6,
    )
