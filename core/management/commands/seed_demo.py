import time

from django.core.management.base import BaseCommand
from django.db import transaction

from core.demo import DEMO_PASSWORD, DEMO_USERS, demo_steps, seed_demo_province


class Command(BaseCommand):
    help = (
        "Create (or update) the demo province of Qinghai: its offices, universities and demo users, then every "
        "registered demo step (generated graduates, handover, ...). --bare: the offices and users only."
    )

    def add_arguments(self, parser):
        parser.add_argument("--bare", action="store_true", help="offices and users only (an empty province)")
        parser.add_argument(
            "--graduates",
            type=int,
            default=3000,
            help="how many generated graduates the demo loads (100-20000)",
        )

    def handle(self, *args, **options):
        size = max(100, min(int(options["graduates"]), 20000))
        counts = seed_demo_province()
        self.stdout.write(
            f"青海演示数据已就绪：机构 {counts['offices']} 个，院校 {counts['universities']} 所，"
            f"演示用户 {counts['users']} 个（密码均为 {DEMO_PASSWORD}）。"
        )
        if not options["bare"]:
            for step in demo_steps():
                started = time.perf_counter()
                # A step lands whole or not at all, so a run that stopped half-way is simply run again.
                with transaction.atomic():
                    summary = step.fn(size)
                if summary:
                    self.stdout.write(f"  {step.label}：{summary}（{time.perf_counter() - started:.1f} 秒）")
        for demo in DEMO_USERS:
            self.stdout.write(f"  {demo.username:<10} {demo.full_name}")
