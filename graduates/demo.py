"""The registry's part of the living demo: generated graduates received as Education Dept and MOHRSS rosters,
through the real roster import (create → check → commit), and two office uploads with invalid rows to look at.

Registered from GraduatesConfig.ready(); `seed_demo` runs it (core.demo). Generated people only: names from
Faker's zh_CN locale, ID numbers from demo_data.id_number (valid check digits). Idempotent: skipped when the demo
uploads exist.
"""

from __future__ import annotations

import io
import random

from faker import Faker
from openpyxl import Workbook

from core.models import Role, User

from .codes import RosterSource
from .demo_data import id_number
from .models import RosterUpload
from .roster import actions
from .roster.template import HEADER

DEMO_PREFIX = "演示-"
ORIGINS = ["630102", "630103", "630104", "630105", "630121", "630123", "630202", "630203", "632123"]
MAJORS = ["计算机科学与技术", "汉语言文学", "临床医学", "会计学", "土木工程", "畜牧兽医", "学前教育"]
UNIVERSITIES = ["青海大学", "青海师范大学", "青海民族大学", "兰州大学"]


def _xlsx(rows: list[list[str]]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _people(rng: random.Random, fake: Faker, count: int, cohort: int, start: int) -> list[list[str]]:
    rows = []
    for i in range(count):
        seq = start + i
        origin = ORIGINS[seq % len(ORIGINS)]
        birth = f"{cohort - 22}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
        number = id_number(origin, birth, seq % 1000)
        male = int(number[16]) % 2 == 1
        name = fake.name_male() if male else fake.name_female()
        row = dict.fromkeys(HEADER, "")
        row.update(
            {
                "姓名": name,
                "民族": "汉族"
                if rng.random() < 0.6
                else rng.choice(["藏族", "回族", "土族", "撒拉族", "蒙古族"]),
                "公民身份号码": number,
                "毕业院校": UNIVERSITIES[seq % len(UNIVERSITIES)],
                "毕业日期": f"{cohort}0{rng.choice([6, 7])}{rng.randint(10, 30)}",
                "学历": rng.choice(["大学本科", "大学本科", "大学专科", "硕士研究生"]),
                "所学专业": rng.choice(MAJORS),
                "入学前户口所在地": origin,
                "手机号码": f"1{rng.choice([39, 58, 87, 99])}{rng.randint(0, 99999999):08d}",
                "就业状态": "未就业",
            }
        )
        rows.append([row[h] for h in HEADER])
    return rows


def _load(
    user: User, rows: list[list[str]], *, source: str, cohort: int, name: str, commit: bool
) -> RosterUpload:
    upload = actions.create_upload(
        content=_xlsx(rows),
        filename=f"{DEMO_PREFIX}{name}.xlsx",
        source=source,
        cohort=cohort,
        acting_user=user,
    )
    upload = actions.check_upload(upload)
    if commit:
        upload = actions.commit_upload(upload=upload, acting_user=user)
    return upload


def load_registry(size: int) -> str | None:
    if RosterUpload.objects.filter(filename__startswith=DEMO_PREFIX).exists():
        return None
    rng, fake = random.Random(2026), Faker("zh_CN")  # noqa: S311 - generated demo people, not secrets
    fake.seed_instance(2026)
    education = User.objects.get(username="jiaoyu")
    bureau = User.objects.filter(role=Role.PROVINCE_ADMIN, username="sheng").get()
    xining = User.objects.get(username="xining")
    half = size // 2
    loaded = 0
    seq = 0
    for cohort in (2025, 2026):
        edu_rows = _people(rng, fake, half * 3 // 4, cohort, seq)
        seq += len(edu_rows)
        mohrss_rows = _people(rng, fake, half - len(edu_rows), cohort, seq)
        seq += len(mohrss_rows)
        _load(
            education,
            edu_rows,
            source=RosterSource.EDUCATION,
            cohort=cohort,
            name=f"教育厅{cohort}届",
            commit=True,
        )
        _load(
            bureau,
            mohrss_rows,
            source=RosterSource.MOHRSS,
            cohort=cohort,
            name=f"人社部{cohort}届",
            commit=True,
        )
        loaded += len(edu_rows) + len(mohrss_rows)
    # Office uploads with errors: one checked and waiting (its preview shows the errors), one committed anyway.
    for name, commit in (("西宁补录-待确认", False), ("西宁补录-已导入", True)):
        rows = _people(rng, fake, 30, 2026, seq)
        seq += 30
        rows[3][HEADER.index("公民身份号码")] = "63010220040101123"  # 17 characters
        rows[7][HEADER.index("民族")] = "火星族"
        rows[11][HEADER.index("毕业日期")] = "20261345"
        _load(xining, rows, source=RosterSource.OFFICE, cohort=2026, name=name, commit=commit)
    return f"生成毕业生 {loaded} 人（2025、2026 两届，教育厅与人社部名单），另有两份含错误行的补录名单"
