from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = "统计报表"

    def ready(self):
        from core.demo import register_demo_step
        from core.models import Role
        from core.navigation import register_nav

        from .demo import monthly_tables

        offices = [Role.PROVINCE_ADMIN, Role.PREFECTURE_STAFF, Role.COUNTY_STAFF]
        register_nav(label="月度汇总表", url_name="reporting:monthly", roles=offices, order=50)
        register_demo_step(60, "月度汇总表", monthly_tables)
        register_nav(label="毕业生服务反馈", url_name="reporting:feedback", roles=[Role.UNIVERSITY_STAFF, Role.EDUCATION_STAFF, Role.PROVINCE_ADMIN], order=55)  # fmt: skip
        register_nav(label="统计分析", url_name="reporting:statistics", roles=[*offices, Role.EDUCATION_STAFF], order=52)  # fmt: skip
        # moved from handover
        register_nav(label="交接进度", url_name="reporting:progress", roles=offices, order=32)
        from .progress.demo import weekly_submissions

        register_demo_step(62, "周进度报送", weekly_submissions)
        from .mail.demo import report_recipients

        register_demo_step(64, "报表收件人", report_recipients)
