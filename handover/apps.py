from django.apps import AppConfig


class HandoverConfig(AppConfig):
    name = "handover"
    verbose_name = "交接"

    def ready(self) -> None:
        from graduates.signals import roster_committed

        from .receivers import batch_from_roster

        roster_committed.connect(batch_from_roster, dispatch_uid="handover.batch_from_roster")
