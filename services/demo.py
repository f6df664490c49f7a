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
