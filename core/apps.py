from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "基础：区划、机构与用户"

    def ready(self) -> None:
        from . import checks, signals  # noqa: F401
        from .audit_demo import purposeful_downloads
        from .demo import register_demo_step

        register_demo_step(90, "审计日志：注明目的的下载", purposeful_downloads)
