"""The service log's code lists. The codes are stable: standards, plans and reports refer to them."""

from __future__ import annotations

import re
import unicodedata

from django.db import models


class ServiceType(models.TextChoices):
    """Every kind of service an office gives a graduate (seeds 000 §三, 001 §二, 002 §五(七)(八))."""

    JOB_SEEKING = "job_seeking", "求职登记"
    UNEMPLOYMENT = "unemployment", "失业登记"
    POLICY = "policy", "政策咨询"
    GUIDANCE = "guidance", "职业指导"
    JOB_REFERRAL = "job_referral", "岗位推荐"
    RECRUITMENT = "recruitment", "招聘活动"
    INTERNSHIP = "internship", "就业见习"
    TRAINING = "training", "职业培训"
    SKILL_TEST = "skill_test", "职业技能鉴定"
    STARTUP_GUIDANCE = "startup_guidance", "创业指导"
    STARTUP_TRAINING = "startup_training", "创业培训"
    STARTUP_LOAN = "startup_loan", "创业担保贷款"
    ARCHIVE = "archive", "档案托管"
    PUBLIC_JOB = "public_job", "公益性岗位"
    ONE_ON_ONE = "one_on_one", "一对一帮扶"


class Channel(models.TextChoices):
    """How the service was given."""

    WINDOW = "window", "窗口"
    PHONE = "phone", "电话"
    ONLINE = "online", "网络/微信"
    HOME = "home", "入户"
    EVENT = "event", "活动现场"


class Origin(models.TextChoices):
    """Where an entry came from (the record page, the bulk page, an office's ledger file)."""

    RECORD = "record", "毕业生记录页"
    BULK = "bulk", "批量记录"
    LEDGER = "ledger", "台账导入"


# Names offices write in their ledgers for a service type (read from files only; the UI offers the labels).
SERVICE_TYPE_VARIANTS: dict[str, str] = {
    "职业介绍": ServiceType.JOB_REFERRAL,
    "岗位信息": ServiceType.JOB_REFERRAL,
    "岗位推介": ServiceType.JOB_REFERRAL,
    "招聘会": ServiceType.RECRUITMENT,
    "参加招聘活动": ServiceType.RECRUITMENT,
    "技能培训": ServiceType.TRAINING,
    "就业援助": ServiceType.ONE_ON_ONE,
}


def _key(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


_TYPE_LOOKUP: dict[str, str] = {
    **{_key(str(label)): value for value, label in ServiceType.choices},
    **{_key(variant): str(value) for variant, value in SERVICE_TYPE_VARIANTS.items()},
    **{_key(value): value for value in ServiceType.values},
}


def service_type_from_text(text: str) -> str | None:
    """The ServiceType code a ledger cell names (its label, a usual variant, or the code), else None."""
    return _TYPE_LOOKUP.get(_key(text))


CONTENT_MAX = 500
OUTCOME_MAX = 200
VOID_REASON_MAX = 200
STAFF_NAME_MAX = 50
POSTING_REF_MAX = 50


# --- Service standards (the notices' promises as data) --------------------------------------------------------


class AppliesTo(models.TextChoices):
    """Which graduates a standard's rule applies to: a registry field holding any of the rule's codes, or a
    求职登记 entry in the service log."""

    INTENTION = "intention", "就业意向"
    NEED = "need", "就业服务需求"
    HARDSHIP = "hardship", "困难状况"
    JOB_SEEKING = "job_seeking", "已做求职登记"


# The registry field (graduates_graduate column, and its key in the change history) each condition reads.
APPLIES_TO_FIELD: dict[str, str] = {
    AppliesTo.INTENTION: "intentions",
    AppliesTo.NEED: "service_needs",
    AppliesTo.HARDSHIP: "hardship",
}


class WindowUnit(models.TextChoices):
    MONTHS = "months", "个月（自然月）"
    DAYS = "days", "天"
    FIXED = "fixed", "届别当年的固定日期"


class Anchor(models.TextChoices):
    """The day a rule's window starts from."""

    RECEIVED = "received", "机构接收之日（首次分发日；自行登记的为登记日）"
    FIRST_JOB_SEEKING = "first_job_seeking", "首次求职登记之日"


class PlanState(models.TextChoices):
    """An obligation's state on an as-of date (services/plans.py)."""

    MET = "met", "按期完成"
    LATE = "late", "逾期完成"
    DUE = "due", "待完成"
    OVERDUE = "overdue", "已逾期"
    CLOSED = "closed", "已终止"


# 困难状况 that make a graduate a hardship case: 零就业家庭, 家庭经济困难, 残疾 and the extra categories 脱贫家庭,
# 低收入家庭, 特殊困难家庭 (seed 002 §五(八)).
HARDSHIP_CODES = ["1", "2", "3", "T", "L", "S"]

# Graduates no longer owed their open obligations: 已就业, 暂不就业, left the province (已转出).
CLOSED_GRADUATE_STATES = ("employed", "not_seeking", "transferred")


# --- Job postings and recruitment events (seed 003 §六(二)4, seed 002) -----------------------------------------


class PostingSource(models.TextChoices):
    KEY_ENTERPRISE = "key_enterprise", "重点企业"
    MAJOR_PROJECT = "major_project", "重大项目"
    SPECIALISED = "specialised", "专精特新"
    PUBLIC_SECTOR = "public_sector", "公共部门"
    RESEARCH_ASSISTANT = "research_assistant", "科研助理"
    INTERNSHIP = "internship", "见习岗位"


class EventKind(models.TextChoices):
    """Seed 002: at least one 专业性 event a week and one 综合性 event a month per prefecture."""

    PROFESSIONAL = "professional", "专业性"
    COMPREHENSIVE = "comprehensive", "综合性"


TITLE_MAX = 100
