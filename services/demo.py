"""The service log's part of the living demo, after the handover's (handover/demo.py): every office that holds
graduates has given services — recruitment events and policy sessions logged for many at once, job referrals and
guidance one by one, a mistaken entry voided — and 城东区 has loaded its ledger (台账). Every entry goes through the
real actions (services/actions.py, services/ledger.py), which check scope and write the audit. Idempotent:
skipped once any service is logged."""

from __future__ import annotations

import datetime
import io
import random

from django.utils import timezone
from openpyxl import Workbook

from core.demo import office_clerk
from core.models import Office, OfficeKind
from graduates.codes import State
from graduates.models import Graduate

from . import actions
from .codes import Channel, ServiceType
from .ledger import import_ledger
from .models import ServiceEntry

SEED = 2026
ONE_BY_ONE = 12  # graduates per office served one by one (the rest attend the events)
ONE_BY_ONE_TYPES = [
    (ServiceType.JOB_SEEKING, Channel.WINDOW, "办理求职登记", "已登记"),
    (ServiceType.GUIDANCE, Channel.WINDOW, "简历修改与面试技巧指导", "已完成"),
    (ServiceType.JOB_REFERRAL, Channel.PHONE, "推荐本地企业文员岗位", "已投递简历"),
    (ServiceType.JOB_REFERRAL, Channel.ONLINE, "微信推送事业单位招聘信息", "有意向"),
    (ServiceType.POLICY, Channel.PHONE, "讲解就业见习补贴政策", "已了解"),
    (ServiceType.INTERNSHIP, Channel.WINDOW, "推荐见习基地岗位", "已上岗见习"),
    (ServiceType.ONE_ON_ONE, Channel.HOME, "入户走访，制定帮扶计划", "已建立帮扶台账"),
    (ServiceType.STARTUP_GUIDANCE, Channel.WINDOW, "创业项目评估与政策讲解", "已完成"),
]


def _day(rng: random.Random, earliest: datetime.date, today: datetime.date) -> datetime.date:
    start = min(max(earliest, today - datetime.timedelta(days=120)), today)
    return start + datetime.timedelta(days=rng.randint(0, (today - start).days))


def _ledger_file(graduates: list[Graduate], today: datetime.date) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["城东区公共就业和人才服务中心 就业服务台账"])
    sheet.append(["序号", "身份证号", "姓名", "服务项目", "服务日期", "服务内容", "经办人"])
    kinds = ["职业介绍", "招聘会", "技能培训", "政策咨询"]
    for number, graduate in enumerate(graduates, start=1):
        day = today - datetime.timedelta(days=7 + number)
        sheet.append(
            [
                number,
                graduate.id_number.lower(),
                graduate.name,
                kinds[number % len(kinds)],
                f"{day.year}年{day.month}月{day.day}日",
                "窗口登记后按台账补录",
                "演示·城东区经办员",
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def load_services(size: int) -> str | None:
    if ServiceEntry.objects.exists() or not Graduate.objects.exists():
        return None
    rng = random.Random(SEED)  # noqa: S311 - generated demo work, not secrets
    today = timezone.localdate()
    offices = Office.objects.employment_offices().exclude(kind=OfficeKind.BUREAU).order_by("region_id")
    events = one_by_one = voided = ledger = 0
    for office in offices:
        graduates = list(
            Graduate.objects.filter(responsible_office=office)
            .exclude(state=State.TRANSFERRED)
            .only("id", "name", "id_number", "graduation_date")
            .order_by("id")
        )
        if not graduates:
            continue
        clerk = office_clerk(office)
        earliest = max(g.graduation_date for g in graduates)
        for service_type, channel, content, share in (
            (ServiceType.RECRUITMENT, Channel.EVENT, f"{office.region.name}综合性招聘会", 0.6),
            (ServiceType.POLICY, Channel.EVENT, "高校毕业生就业创业政策宣讲会", 0.4),
        ):
            chosen = [g.pk for g in graduates if rng.random() < share]
            if chosen:
                actions.log_service_bulk(
                    graduate_ids=chosen,
                    service_type=service_type,
                    date=_day(rng, earliest, today),
                    channel=channel,
                    content=content,
                    acting_user=clerk,
                )
                events += 1
        last = None
        for graduate in graduates[:ONE_BY_ONE]:
            for service_type, channel, content, outcome in rng.sample(ONE_BY_ONE_TYPES, rng.randint(1, 3)):
                last = actions.log_service(
                    graduate=graduate,
                    service_type=service_type,
                    date=_day(rng, graduate.graduation_date, today),
                    channel=channel,
                    content=content,
                    outcome=outcome,
                    acting_user=clerk,
                )
                one_by_one += 1
        if last is not None and clerk.has_usable_password():  # the offices with a demo login show a void
            actions.void_service(entry=last, reason="录错了服务类型，已重新记录", acting_user=clerk)
            voided += 1
        if clerk.username == "chengdong":
            report = import_ledger(
                content=_ledger_file(graduates[ONE_BY_ONE : ONE_BY_ONE + 8], today),
                office=office,
                acting_user=clerk,
            )
            ledger = report.logged
    total = ServiceEntry.objects.count()
    return f"服务记录 {total} 条（活动批量记录 {events} 次，逐一记录 {one_by_one} 条，台账导入 {ledger} 条，作废 {voided} 条）"


# --- Postings, events and one-on-one help (after the service log) ----------------------------------------------

POSTINGS = [
    # employer, title, category, education, majors, pay, source
    (
        "青海某新能源有限公司",
        "光伏运维工程师",
        "工程技术",
        "4",
        ["电气", "能源", "自动化"],
        (4500, 7000),
        "key_enterprise",
    ),
    ("青海某盐湖化工集团", "化工工艺员", "生产制造", "3", ["化学", "化工"], (5000, 8000), "major_project"),
    (
        "某软件科技有限公司",
        "软件开发工程师",
        "信息技术",
        "3",
        ["计算机", "软件", "信息"],
        (6000, 10000),
        "specialised",
    ),
    ("某市人民医院", "护理岗", "医疗卫生", "4", ["护理"], (4000, 6000), "public_sector"),
    ("青海大学", "科研助理", "科研", "3", [], (3500, 5000), "research_assistant"),
    ("某街道社区服务中心", "社区服务见习岗", "公共服务", "", [], (2000, 2500), "internship"),
    ("某会计师事务所", "审计助理", "财务会计", "3", ["会计", "财务", "审计"], (4000, 6500), "key_enterprise"),
    (
        "某文旅发展有限公司",
        "文旅策划",
        "文化旅游",
        "4",
        ["旅游", "文化", "汉语言"],
        (3500, 5500),
        "specialised",
    ),
]


def load_postings(size: int) -> str | None:
    """Every prefecture office has posted jobs and held events (a 专业性 event most weeks, a 综合性 one most months,
    with gaps for the bureau to see), recommended postings to a few graduates, and named specialists for some
    hardship graduates. Idempotent: skipped once any posting exists."""
    from .codes import HARDSHIP_CODES
    from .models import JobPosting, RecruitmentEvent

    if JobPosting.objects.exists() or not Graduate.objects.exists():
        return None
    rng = random.Random(SEED + 1)  # noqa: S311 - generated demo work, not secrets
    today = timezone.localdate()
    postings = events = recommended = specialists = 0
    for office in Office.objects.filter(kind=OfficeKind.PREFECTURE, is_active=True).order_by("region_id"):
        clerk = office_clerk(office)
        made = []
        for employer, title, category, education, majors, (low, high), source in rng.sample(POSTINGS, 5):
            made.append(
                actions.create_posting(
                    posting=JobPosting(
                        employer=employer,
                        title=title,
                        category=category,
                        location_id=office.region_id,
                        pay_min=low,
                        pay_max=high,
                        education=education,
                        majors=majors,
                        head_count=rng.randint(1, 10),
                        valid_until=today + datetime.timedelta(days=rng.randint(30, 150)),
                        source=source,
                    ),
                    acting_user=clerk,
                )
            )
            postings += 1
        monday = today - datetime.timedelta(days=today.weekday())
        for week in range(8):
            if rng.random() < 0.8:  # a missed week now and then
                day = monday - datetime.timedelta(weeks=week) + datetime.timedelta(days=rng.randint(0, 4))
                event = actions.create_event(
                    event=RecruitmentEvent(
                        name=f"{office.region.name}高校毕业生专场招聘会",
                        date=min(day, today),
                        kind="professional",
                        online=rng.random() < 0.3,
                        place=f"{office.region.name}人力资源市场",
                    ),
                    acting_user=clerk,
                )
                event.postings.set(rng.sample(made, 3))
                events += 1
        for month in range(3):
            if rng.random() < 0.75:
                first = (today.replace(day=1) - datetime.timedelta(days=31 * month)).replace(day=10)
                actions.create_event(
                    event=RecruitmentEvent(
                        name=f"{office.region.name}综合性招聘大会",
                        date=min(first, today),
                        kind="comprehensive",
                        place=f"{office.region.name}会展中心",
                    ),
                    acting_user=clerk,
                )
                events += 1
        graduates = list(
            Graduate.objects.filter(responsible_office=office, state__in=[State.WAITING, State.VERIFIED])
            .select_related("origin_region")
            .order_by("id")[:6]
        )
        for graduate in graduates:
            actions.recommend_posting(graduate=graduate, posting=rng.choice(made), acting_user=clerk)
            recommended += 1
        hardship = Graduate.objects.filter(
            responsible_office=office,
            hardship__overlap=HARDSHIP_CODES,
            state__in=[State.WAITING, State.VERIFIED],
        ).order_by("id")[:3]
        for graduate in hardship[:2]:  # the third waits for a specialist (the worklist shows it)
            actions.assign_specialist(
                graduate=graduate,
                specialist=clerk,
                plan="1. 每两周电话联系一次，了解求职进展；\n2. 优先推荐公益性岗位和见习岗位；\n3. 协助申请求职创业补贴。",
                follow_up_days=14,
                acting_user=clerk,
            )
            specialists += 1
    from .plans import refresh_obligations

    kept = refresh_obligations()  # what the hourly task does: the worklists read these rows
    return (
        f"岗位 {postings} 个，招聘活动 {events} 场，岗位推荐 {recommended} 次，一对一帮扶专员 {specialists} 名，"
        f"服务义务 {kept} 条"
    )
