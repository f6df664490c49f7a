from django.apps import AppConfig


class ServicesConfig(AppConfig):
    name = "services"
    verbose_name = "就业服务"

    def ready(self) -> None:
        from core.demo import register_demo_step
        from core.models import Role
        from core.navigation import register_nav
        from graduates.selectors import register_timeline_provider

        from .demo import load_postings, load_services
        from .selectors import service_timeline

        register_timeline_provider(service_timeline)
        register_demo_step(30, "就业服务", load_services)
        register_demo_step(31, "岗位、招聘活动与一对一帮扶", load_postings)
        offices = [Role.PROVINCE_ADMIN, Role.PREFECTURE_STAFF, Role.COUNTY_STAFF]
        register_nav(label="服务台账", url_name="services:log", roles=offices, order=40)
        register_nav(label="待办服务", url_name="services:plans", roles=offices, order=41)
