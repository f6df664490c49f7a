from django.apps import AppConfig


class GraduatesConfig(AppConfig):
    name = "graduates"
    verbose_name = "毕业生登记"
