from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "基础：区划、机构与用户"

    def ready(self) -> None:
        from . import signals  # noqa: F401
