"""python manage.py grant_app_role [--password-file FILE]: create or update the application's database role.

Run as the tables' owner (the role that runs `migrate`). Grants the role what the running system needs and no
more (core/db_roles.py); with a password (file, or DATABASE_APP_PASSWORD) the role may log in."""

import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connection, transaction

from core.db_roles import app_role, ensure_app_role


class Command(BaseCommand):
    help = "创建或更新应用程序的数据库角色（DATABASE_APP_ROLE）并授予所需权限：审计日志只能读取和追加。须以表的属主运行。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--password-file", help="角色登录口令所在文件（也可用环境变量 DATABASE_APP_PASSWORD）"
        )

    def handle(self, *args, password_file=None, **options):
        password = os.environ.get("DATABASE_APP_PASSWORD") or None
        if password_file:
            try:
                password = Path(password_file).read_text(encoding="utf-8").strip()
            except OSError as error:
                raise CommandError(f"读不到口令文件 {password_file}：{error.strerror}") from error
        if password is not None and len(password) < 12:
            raise CommandError("应用程序数据库角色的口令至少 12 个字符。")
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                role = ensure_app_role(cursor, app_role(), password=password)
        except DatabaseError as error:
            raise CommandError(f"授权失败（须以表的属主、有 CREATEROLE 权限的角色运行）：{error}") from error
        login = "可以用口令登录" if password else "未设口令（不能登录，除非另行设置）"
        self.stdout.write(f"数据库角色 {role} 已授权：审计日志只能读取和追加；{login}。")
