from django.apps import AppConfig


class GraduatesConfig(AppConfig):
    name = "graduates"
    verbose_name = "毕业生登记"

    def ready(self) -> None:
        from core.models import Role
        from core.navigation import register_counter, register_nav

        from .selectors import waiting_count

        office_roles = [Role.PROVINCE_ADMIN, Role.PREFECTURE_STAFF, Role.COUNTY_STAFF]
        register_nav(label="毕业生", url_name="graduates:list", order=10)
        register_nav(label="登记毕业生", url_name="graduates:create", roles=office_roles, order=11)
        register_counter(
            label="待联系毕业生",
            url_name="graduates:list",
            query="state=waiting",
            count=waiting_count,
            roles=office_roles,
            order=10,
        )
