from django.apps import AppConfig


class ServicesConfig(AppConfig):
    name = "services"
    verbose_name = "就业服务"

    def ready(self) -> None:
        from core.models import Role
        from core.navigation import register_nav
        from graduates.selectors import register_timeline_provider

        from .selectors import service_timeline

        register_timeline_provider(service_timeline)
        offices = [Role.PROVINCE_ADMIN, Role.PREFECTURE_STAFF, Role.COUNTY_STAFF]
        register_nav(label="服务台账", url_name="services:log", roles=offices, order=40)
