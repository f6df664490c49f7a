from django.core.management.base import BaseCommand

from core.demo import DEMO_PASSWORD, DEMO_USERS, seed_demo_province


class Command(BaseCommand):
    help = "Create (or update) the demo province of Qinghai: its offices, universities and demo users."

    def handle(self, *args, **options):
        counts = seed_demo_province()
        self.stdout.write(
            f"青海演示数据已就绪：机构 {counts['offices']} 个，院校 {counts['universities']} 所，"
            f"演示用户 {counts['users']} 个（密码均为 {DEMO_PASSWORD}）。"
        )
        for demo in DEMO_USERS:
            self.stdout.write(f"  {demo.username:<10} {demo.full_name}")
