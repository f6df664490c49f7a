from django.apps import AppConfig


class SecurityConfig(AppConfig):
    name = "core.security"
    label = "security"
    verbose_name = "登录与会话安全"
    default = True

    def ready(self) -> None:
        from core.demo import register_demo_step

        from . import signals  # noqa: F401
        from .demo import demo_second_factor

        register_demo_step(1, "双因素认证（演示）", demo_second_factor)
