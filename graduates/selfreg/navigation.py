"""Navigation entry and home-page counter of self-registrations. GraduatesConfig.ready() calls `register()`."""

from __future__ import annotations


def register() -> None:
    from core.models import Role
    from core.navigation import register_counter, register_nav

    from .selectors import open_count

    roles = [Role.PROVINCE_ADMIN, Role.PREFECTURE_STAFF, Role.COUNTY_STAFF]
    register_nav(label="本人登记", url_name="selfreg:worklist", roles=roles, order=12)
    # Order 1: the first counter on the home page — a self-registration is due within one working day.
    register_counter(
        label="待联系的本人登记", url_name="selfreg:worklist", count=open_count, roles=roles, order=1
    )
