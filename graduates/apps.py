from django.apps import AppConfig


class GraduatesConfig(AppConfig):
    name = "graduates"
    verbose_name = "毕业生登记"

    def ready(self) -> None:
        from core.demo import register_demo_step
        from core.models import Role
        from core.navigation import register_counter, register_nav
        from core.rotation import register_rotation

        from .demo import load_office_lists, load_registry
        from .roster.rotation import rotate_invalid_row_cells, rotate_uploaded_files
        from .roster.selectors import roster_waiting_count
        from .selectors import incomplete_count, waiting_count
        from .selfreg.demo import load_self_registrations
        from .selfreg.navigation import register as register_self_registration

        register_rotation("graduates_rosterrow.data", rotate_invalid_row_cells)
        register_rotation("graduates_rosterupload.content", rotate_uploaded_files)
        register_demo_step(10, "毕业生名单", load_registry)
        register_demo_step(30, "经办机构名单", load_office_lists)
        register_demo_step(40, "本人登记", load_self_registrations)
        register_self_registration()
        office_roles = [Role.PROVINCE_ADMIN, Role.PREFECTURE_STAFF, Role.COUNTY_STAFF]
        register_nav(label="毕业生", url_name="graduates:list", order=10)
        register_nav(label="登记毕业生", url_name="graduates:create", roles=office_roles, order=11)
        register_nav(label="名单导入", url_name="roster:list", order=20)
        register_nav(
            label="院校报送情况",
            url_name="roster:universities",
            roles=[Role.EDUCATION_STAFF, Role.PROVINCE_ADMIN],
            order=21,
        )
        register_counter(
            label="待确认的名单",
            url_name="roster:list",
            count=roster_waiting_count,
            order=20,
        )
        register_counter(
            label="待联系毕业生",
            url_name="graduates:list",
            query="state=waiting",
            count=waiting_count,
            roles=office_roles,
            order=10,
        )
        register_counter(
            label="信息不全的毕业生",
            url_name="graduates:list",
            query="info=incomplete",
            count=incomplete_count,
            roles=office_roles,
            order=11,
        )
