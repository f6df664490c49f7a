"""The registry's part of the living demo: generated graduates of two cohorts (2025, 2026) loaded through the real
roster import (create → check → commit), as and when the lists really arrive (core.demo.demo_clock):

- 2025: the Education Dept's hand-over list (every Qinghai institution; 12 September) and MOHRSS's list of Qinghai
  natives at out-of-province universities (24 October; now and then with the university's city as 生源地, which
  leaves them in the bureau's 待分配 queue);
- 2026: the universities' own rosters by 15 June (青海大学 by its staff, 青海师范大学 by the Education Dept on its
  behalf; 青海民族大学's late, checked, with invalid rows, waiting), the Education Dept's list of the other Qinghai
  institutions (September), MOHRSS's list (October);
- a later step (after the handover's): the offices' walk-in lists and the bureau's supplementary MOHRSS list, each
  with invalid rows to look at, two committed anyway and three waiting.

Registered from GraduatesConfig.ready(); `seed_demo` runs it (core.demo). Generated people only
(demo_data.roster_people: Faker zh_CN pools, a fixed seed, ID numbers with valid check digits). Idempotent: skipped
when the demo uploads exist.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterator

from openpyxl import Workbook

from core.demo import DEMO_USERS, demo_clock
from core.models import Office, User

from .codes import EducationLevel, Ethnicity, RosterSource
from .demo_data import QINGHAI_UNIVERSITY_NAMES, RosterPerson, roster_people
from .models import Graduate, RosterUpload
from .roster import actions
from .roster.template import HEADER

DEMO_PREFIX = "演示-"
SEED = 2026
COHORTS = (2025, 2026)
# 2026: universities that loaded their own roster (committed), and the one whose roster waits for confirmation.
COMMITTED_ROSTERS = {"青海大学": "qhu", "青海师范大学": "jiaoyu"}
WAITING_ROSTER = "青海民族大学"
WAITING_ROSTER_ROWS = 40
SIGNED_SHARE = 20  # every 20th graduate of a university roster signed a contract before leaving (签约)
OFFICE_LIST_ROWS = 30
IN_PROVINCE = "63"
MISPLACED_ORIGIN = 25  # every 25th row of a MOHRSS list names the university's city as 生源地

ETHNICITY_LABEL = dict(Ethnicity.choices)
EDUCATION_LABEL = dict(EducationLevel.choices)


def _cells(p: RosterPerson, *, signed: bool = False) -> list[str]:
    row = dict.fromkeys(HEADER, "")
    row.update(
        {
            "姓名": p.name,
            "民族": ETHNICITY_LABEL[p.ethnicity],
            "公民身份号码": p.id_number,
            "毕业院校": p.university,
            "毕业日期": p.graduation_date.strftime("%Y%m%d"),
            "学历": EDUCATION_LABEL[p.education],
            "所学专业": p.major,
            "入学前户口所在地": p.origin,
            "电子邮箱": p.email,
            "邮编": p.postcode,
            "手机号码": p.mobile,
            "固定电话": p.landline,
            "困难状况": p.hardship,
            "就业地意向": p.location_intention,
            "就业意向": p.intentions,
            "就业服务需求": p.service_needs,
            "就业状态": "签约" if signed else "未就业",
        }
    )
    return [row[h] for h in HEADER]


def _mohrss_rows(people: list[RosterPerson]) -> list[list[str]]:
    """MOHRSS's list as it comes: now and then the 生源地 is the university's city instead of the graduate's (the ID
    number still says Qinghai). Dispatch leaves those in the bureau's 待分配 queue, to assign by hand."""
    rows = [_cells(p) for p in people]
    for row in rows[MISPLACED_ORIGIN // 2 :: MISPLACED_ORIGIN]:
        row[HEADER.index("入学前户口所在地")] = "620102"  # 兰州市城关区
    return rows


def _xlsx(rows: list[list[str]]) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("名单")
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _load(
    user: User,
    rows: list[list[str]],
    *,
    source: str,
    cohort: int,
    name: str,
    commit: bool,
    university: Office | None = None,
) -> RosterUpload | None:
    if not rows:
        return None
    upload = actions.create_upload(
        content=_xlsx(rows),
        filename=f"{DEMO_PREFIX}{name}.xlsx",
        source=source,
        cohort=cohort,
        acting_user=user,
        university=university,
    )
    upload = actions.check_upload(upload)
    if commit:
        upload = actions.commit_upload(upload=upload, acting_user=user)
    return upload


def _spoil_id_length(row: list[str]) -> None:
    row[HEADER.index("公民身份号码")] = row[HEADER.index("公民身份号码")][:17]  # a digit lost


def _spoil_check_digit(row: list[str]) -> None:
    number = row[HEADER.index("公民身份号码")]
    row[HEADER.index("公民身份号码")] = number[:17] + ("0" if number[17] != "0" else "1")


def _spoil_ethnicity(row: list[str]) -> None:
    row[HEADER.index("民族")] = "火星族"


def _spoil_date(row: list[str]) -> None:
    row[HEADER.index("毕业日期")] = row[HEADER.index("毕业日期")][:4] + "1345"


def _spoil_mobile(row: list[str]) -> None:
    row[HEADER.index("手机号码")] = row[HEADER.index("手机号码")][:10]


def _spoil_region(row: list[str]) -> None:
    row[HEADER.index("入学前户口所在地")] = "639999"


SPOILERS = [_spoil_id_length, _spoil_check_digit, _spoil_ethnicity, _spoil_date, _spoil_mobile, _spoil_region]


def _with_errors(rows: list[list[str]], variant: int) -> list[list[str]]:
    """Spoil a few cells the way real files go wrong (a different few in each file), so the preview and the error
    download have something to show."""
    spoilt = [list(row) for row in rows]
    count = 3 + variant % 3
    for n in range(min(count, len(spoilt) // 3)):
        SPOILERS[(variant + n) % len(SPOILERS)](spoilt[2 + 3 * n + variant])
    return spoilt


def _draw(people: Iterator[RosterPerson], buckets: dict[str, list[RosterPerson]], route, target: int) -> None:
    """Draw people until TARGET of them are routed into BUCKETS (ROUTE returns the bucket or None: not listed)."""
    placed = 0
    while placed < target:
        p = next(people)
        bucket = route(p)
        if bucket is not None:
            buckets.setdefault(bucket, []).append(p)
            placed += bucket != "waiting"


def load_registry(size: int) -> str | None:
    """The lists of both cohorts, each on the day it arrived (core.demo.demo_clock)."""
    if RosterUpload.objects.filter(filename__startswith=DEMO_PREFIX).exists():
        return None
    users = _users()
    universities = {o.name: o for o in Office.objects.universities()}
    taken: set[str] = set()
    loaded = 0

    # 2025: the Education Dept's list (due mid-September) and MOHRSS's list (October).
    people = roster_people(cohort=2025, seed=SEED, taken=taken)
    lists: dict[str, list[RosterPerson]] = {}

    def route_2025(p: RosterPerson) -> str | None:
        if p.university in QINGHAI_UNIVERSITY_NAMES:
            return "education"
        return "mohrss" if p.origin.startswith(IN_PROVINCE) else None

    _draw(people, lists, route_2025, size * 45 // 100)
    with demo_clock(datetime.date(2025, 9, 12)):
        _load(
            users["jiaoyu"],
            [_cells(p) for p in lists.get("education", [])],
            source=RosterSource.EDUCATION,
            cohort=2025,
            name="2025届省属院校离校未就业毕业生移交名单",
            commit=True,
        )
    with demo_clock(datetime.date(2025, 10, 24)):
        _load(
            users["sheng"],
            _mohrss_rows(lists.get("mohrss", [])),
            source=RosterSource.MOHRSS,
            cohort=2025,
            name="人社部2025届省外院校青海生源未就业名单",
            commit=True,
        )
    loaded += sum(len(v) for v in lists.values())

    # 2026: the universities' rosters (due 15 June), the Education Dept's list of the other institutions
    # (September), MOHRSS's list (October).
    people = roster_people(cohort=2026, seed=SEED, taken=taken)
    lists = {}

    def route_2026(p: RosterPerson) -> str | None:
        if p.university in COMMITTED_ROSTERS:
            return p.university
        if p.university == WAITING_ROSTER:
            return "waiting" if len(lists.get("waiting", [])) < WAITING_ROSTER_ROWS else None
        if p.university in QINGHAI_UNIVERSITY_NAMES:
            return "education"
        return "mohrss" if p.origin.startswith(IN_PROVINCE) else None

    _draw(people, lists, route_2026, size - loaded)
    for day, (university, username) in zip((10, 13), COMMITTED_ROSTERS.items(), strict=True):
        rows = [
            _cells(p, signed=i % SIGNED_SHARE == SIGNED_SHARE - 1)
            for i, p in enumerate(lists.get(university, []))
        ]
        with demo_clock(datetime.date(2026, 6, day)):
            _load(
                users[username],
                rows,
                source=RosterSource.UNIVERSITY,
                cohort=2026,
                name=f"{university}2026届离校未就业毕业生名单",
                commit=True,
                university=universities[university],
            )
    with demo_clock(datetime.date(2026, 6, 19)):  # late, and waiting for the Education Dept's confirmation
        _load(
            users["jiaoyu"],
            _with_errors([_cells(p) for p in lists.get("waiting", [])], variant=0),
            source=RosterSource.UNIVERSITY,
            cohort=2026,
            name=f"{WAITING_ROSTER}2026届离校未就业毕业生名单",
            commit=False,
            university=universities[WAITING_ROSTER],
        )
    with demo_clock(datetime.date(2026, 9, 11)):
        _load(
            users["jiaoyu"],
            [_cells(p) for p in lists.get("education", [])],
            source=RosterSource.EDUCATION,
            cohort=2026,
            name="2026届其他省属院校离校未就业毕业生移交名单",
            commit=True,
        )
    with demo_clock(datetime.date(2026, 10, 27)):
        _load(
            users["sheng"],
            _mohrss_rows(lists.get("mohrss", [])),
            source=RosterSource.MOHRSS,
            cohort=2026,
            name="人社部2026届省外院校青海生源未就业名单",
            commit=True,
        )
    loaded += sum(len(v) for k, v in lists.items() if k != "waiting")
    return (
        f"{loaded} 名生成的毕业生（2025、2026 两届：教育厅移交名单、院校名单、人社部名单），"
        "1 份院校名单含错误行待确认"
    )


# Walk-in lists of the offices (this autumn, after the handover: they stay with the office that met the
# graduates) and the bureau's supplementary MOHRSS list, each with invalid rows: (user, source, name, day, commit).
OFFICE_LISTS = [
    ("haidong", RosterSource.OFFICE, "海东市窗口求职登记名单（10月）", datetime.date(2026, 10, 30), True),
    ("xining", RosterSource.OFFICE, "西宁市窗口求职登记名单（11月）", datetime.date(2026, 11, 20), True),
    (
        "sheng",
        RosterSource.MOHRSS,
        "人社部2026届省外院校青海生源补充名单",
        datetime.date(2026, 11, 28),
        False,
    ),
    ("chengdong", RosterSource.OFFICE, "城东区报到登记名单", datetime.date(2026, 12, 2), False),
    ("xining", RosterSource.OFFICE, "西宁市窗口求职登记名单（12月）", datetime.date(2026, 12, 3), False),
]


def load_office_lists(size: int) -> str | None:
    """The offices' own lists with errors to look at: two committed anyway, three checked and waiting."""
    if RosterUpload.objects.filter(filename=f"{DEMO_PREFIX}{OFFICE_LISTS[0][2]}.xlsx").exists():
        return None
    if not RosterUpload.objects.filter(filename__startswith=DEMO_PREFIX).exists():
        return None  # no registry demo
    users = _users()
    taken = set(Graduate.objects.filter(cohort=2026).values_list("id_number", flat=True))
    people = (
        p for p in roster_people(cohort=2026, seed=SEED + 1, taken=taken) if p.origin.startswith(IN_PROVINCE)
    )
    loaded = 0
    for variant, (username, source, name, day, commit) in enumerate(OFFICE_LISTS, start=1):
        rows = [_cells(next(people)) for _ in range(OFFICE_LIST_ROWS)]
        with demo_clock(day, hour=9 + variant):
            upload = _load(
                users[username],
                _with_errors(rows, variant),
                source=source,
                cohort=2026,
                name=name,
                commit=commit,
            )
        loaded += upload.new if upload is not None and commit else 0
    waiting = sum(1 for *_, commit in OFFICE_LISTS if not commit)
    return f"{len(OFFICE_LISTS)} 份含错误行的名单（{waiting} 份待确认），登记 {loaded} 人"


def _users() -> dict[str, User]:
    return {u.username: u for u in User.objects.filter(username__in=[d.username for d in DEMO_USERS])}
