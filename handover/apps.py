from django.apps import AppConfig


class HandoverConfig(AppConfig):
    name = "handover"
    verbose_name = "交接"

    def ready(self) -> None:
        from graduates.signals import roster_committed

        from .batches.receivers import batch_from_roster

        roster_committed.connect(batch_from_roster, dispatch_uid="handover.batch_from_roster")

        from core.demo import register_demo_step

        from .demo import load_handover

        register_demo_step(20, "交接", load_handover)

        from core.models import Role
        from core.navigation import register_counter, register_nav

        from .batches.selectors import my_share

        offices = [Role.PROVINCE_ADMIN, Role.PREFECTURE_STAFF, Role.COUNTY_STAFF]
        register_nav(label="交接", url_name="handover:home", roles=offices, order=30)
        register_nav(label="确认移交", url_name="handover:education", roles=[Role.EDUCATION_STAFF], order=31)
        register_counter(
            label="待签收的交接名单",
            url_name="handover:home",
            count=lambda user: my_share(user)["waiting"],
            roles=[Role.PREFECTURE_STAFF, Role.COUNTY_STAFF],
            order=5,
        )

        from .transfers.navigation import register as register_transfers

        register_transfers()
