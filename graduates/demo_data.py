"""Generated (never real) graduates for demos and benchmarks: `python manage.py generate_demo_data`.

The people are invented but shaped like Qinghai's registry: Faker zh_CN names (Tibetan-style names for most
Tibetans), ID numbers with real GB/T 2260 region codes and a correct GB 11643 check digit, origins spread over
Qinghai's counties by population with a share from other provinces, every code list of the 登记表 used with
plausible weights, sources, follow-up visits.

Speed: 1,000,000 rows must load in minutes, so nothing here goes through the ORM per row. A seeded
`random.Random` draws every value (Faker is only read once, for its name and company pools); each batch is
written with PostgreSQL COPY in one transaction, the primary keys reserved in bulk from the table's sequence so
that the sources and visits can be copied right after their graduates.
"""

from __future__ import annotations

import csv
import datetime
import io
import random
import time
from bisect import bisect
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from stdnum.cn import ric

from core import crypto
from core.audit import record_audit
from core.demo import DEMO_PROVINCE, seed_demo_province
from core.models import Office, OfficeKind, Region, RegionLevel, User
from core.regions import PLACEHOLDER_NAMES

from .codes import (
    Category,
    Destination,
    Intention,
    ServiceNeed,
    SourceChannel,
    State,
    VisitOutcome,
)
from .models import FollowUpVisit, Graduate, GraduateSource

DEFAULT_SEED = 2026
DEFAULT_VISIT_SHARE = 0.3
DEFAULT_BATCH = 50_000

# --- the registry's shape -------------------------------------------------------------------------------------

# Qinghai's current counties weighted by population (2020 census, in 10,000s). A county missing here (a code
# added later) still gets a small weight.
COUNTY_WEIGHTS = {
    "630102": 41, "630103": 38, "630104": 36, "630105": 33, "630106": 40, "630121": 40, "630123": 13,
    "630202": 25, "630203": 11, "630222": 34, "630223": 33, "630224": 21, "630225": 14,
    "632221": 13, "632222": 5, "632223": 3, "632224": 4,
    "632301": 10, "632322": 6, "632323": 8, "632324": 4,
    "632521": 14, "632522": 7, "632523": 10, "632524": 8, "632525": 8,
    "632621": 6, "632622": 3, "632623": 4, "632624": 4, "632625": 3, "632626": 1,
    "632701": 12, "632722": 7, "632723": 7, "632724": 4, "632725": 11, "632726": 3,
    "632801": 22, "632802": 9, "632803": 2, "632821": 4, "632822": 8, "632823": 2,
}  # fmt: skip
UNLISTED_COUNTY_WEIGHT = 3

SHARE_OUT_OF_PROVINCE_ID = 0.10  # ID number issued in another province
# ... of whom this share still has their 户口 there (the rest moved to Qinghai):
SHARE_OUT_OF_PROVINCE_ORIGIN = 0.70
SHARE_ABOLISHED_CODE = 0.03  # ID number carrying an abolished Qinghai code (632121 平安县 ...)
SHARE_MOVED_WITHIN_QINGHAI = 0.06  # origin is another Qinghai county than the ID's, mostly 西宁
SHARE_PASSED_TO_COUNTY = 0.40  # of 西宁 and 海东 records, passed down by the prefecture to the county office
PASSED_TO_COUNTY_PREFECTURES = {"630100", "630200"}
SHARE_ASSIGNED_STAFF = 0.25  # records with a named 责任人, where the office has users

# Other provinces whose people study or work in Qinghai, by weight; every other province weighs 1.
NEIGHBOUR_PROVINCE_WEIGHTS = {"62": 30, "64": 6, "61": 8, "51": 8, "41": 8, "54": 4, "65": 3, "13": 3, "37": 3}  # fmt: skip

# Ethnicity (GB/T 3304 codes) by prefecture, with the counties that differ from their prefecture.
_ETHNICITY_DEFAULT = {"01": 64, "03": 16, "04": 10, "30": 4, "02": 2, "35": 1, "11": 1, "15": 0.5, "06": 0.5}
ETHNICITY_BY_AREA = {
    "6301": _ETHNICITY_DEFAULT,
    "6302": {"01": 50, "03": 20, "30": 12, "35": 8, "04": 8, "02": 0.5, "11": 0.5, "26": 0.5},
    "6322": {"01": 45, "04": 25, "03": 20, "02": 5, "30": 3, "11": 1},
    "6323": {"04": 68, "02": 12, "01": 8, "03": 6, "30": 6},
    "6325": {"04": 65, "01": 25, "03": 8, "30": 1, "02": 1},
    "6326": {"04": 92, "01": 6, "03": 2},
    "6327": {"04": 97, "01": 2.5, "03": 0.5},
    "6328": {"01": 60, "03": 14, "04": 12, "02": 10, "30": 2, "35": 1, "11": 1},
    "630121": {"01": 60, "03": 30, "30": 6, "04": 3, "02": 1},
    "630222": {"03": 45, "01": 28, "30": 25, "04": 1, "35": 1},
    "630223": {"01": 60, "30": 30, "04": 6, "03": 4},
    "630224": {"03": 55, "04": 25, "01": 18, "35": 2},
    "630225": {"35": 62, "04": 20, "03": 10, "01": 8},
    "632221": {"01": 45, "03": 38, "04": 14, "30": 2, "02": 1},
    "632324": {"02": 90, "04": 8, "01": 2},
    # other provinces (first two digits)
    "54": {"04": 90, "01": 8, "03": 1, "54": 0.5, "55": 0.5},
    "64": {"01": 63, "03": 35, "11": 1, "02": 1},
    "65": {"05": 40, "01": 42, "17": 7, "03": 5, "29": 1, "02": 1, "38": 0.5, "41": 0.5, "43": 0.5, "50": 0.5},
    "62": {"01": 88, "03": 5, "04": 2, "26": 2.5, "47": 0.5, "48": 0.5, "17": 0.2, "11": 0.3, "02": 0.2},
    "15": {"01": 78, "02": 18, "11": 2, "31": 1, "45": 0.5, "52": 0.5},
    "45": {"01": 62, "08": 32, "13": 3, "06": 1, "12": 1, "49": 0.5, "32": 0.5},
    "52": {"01": 63, "06": 12, "09": 8, "12": 5, "15": 4, "07": 2, "37": 2, "25": 1, "13": 1, "40": 0.2},
    "53": {"01": 66, "07": 11, "14": 3, "16": 3, "18": 3, "08": 3, "06": 2, "20": 1.5, "24": 1, "21": 1,
           "27": 0.7, "28": 0.4, "39": 0.1, "46": 0.1, "42": 0.1, "51": 0.05, "56": 0.05, "40": 0.1, "34": 0.3},
    "*": {"01": 92, "03": 2, "11": 1.5, "15": 1, "06": 1, "08": 0.8, "10": 0.5, "02": 0.5, "97": 0.1,
          "98": 0.02, "23": 0.01, "19": 0.3, "22": 0.3, "36": 0.05, "44": 0.01, "53": 0.01, "52": 0.01},
}  # fmt: skip

# Unemployed graduates are mostly bachelors and junior-college graduates; doctors are rare.
EDUCATION_WEIGHTS = {"1": 0.5, "2": 6, "3": 56, "4": 35.5, "5": 2}
# Age at graduation by education level.
AGE_AT_GRADUATION = {
    "1": {27: 10, 28: 20, 29: 25, 30: 20, 31: 12, 32: 8, 33: 5},
    "2": {24: 20, 25: 40, 26: 25, 27: 10, 28: 5},
    "3": {21: 15, 22: 55, 23: 22, 24: 8},
    "4": {20: 20, 21: 50, 22: 22, 23: 8},
    "5": {19: 10, 20: 30, 21: 30, 22: 20, 23: 10},
}

# The demo's province-run universities (they exist as offices: the FK is set) ...
DEMO_UNIVERSITIES = {"青海大学": 40, "青海师范大学": 32, "青海民族大学": 28}
DEMO_UNIVERSITIES_POSTGRADUATE = {"青海大学": 50, "青海师范大学": 30, "青海民族大学": 20}
# ... and others known by name only (FK null unless an office of that name exists, like the demo's 兰州大学).
OTHER_UNIVERSITIES = {
    "兰州大学": 10, "西北师范大学": 10, "西北民族大学": 9, "陕西师范大学": 6, "西北大学": 5, "四川大学": 4,
    "西南民族大学": 5, "兰州理工大学": 5, "兰州交通大学": 5, "甘肃农业大学": 5, "西北农林科技大学": 4,
    "中央民族大学": 3, "郑州大学": 3, "长安大学": 3, "西安理工大学": 3, "青海大学昆仑学院": 8,
    "西藏大学": 2, "宁夏大学": 3, "新疆大学": 2, "西安交通大学": 2,
}  # fmt: skip
VOCATIONAL_COLLEGES = {
    "青海卫生职业技术学院": 14, "青海交通职业技术学院": 12, "青海建筑职业技术学院": 10,
    "青海畜牧兽医职业技术学院": 10, "青海柴达木职业技术学院": 7, "西宁城市职业技术学院": 9,
    "青海警官职业学院": 5, "青海高等职业技术学院": 8, "青海省海东市职业技术学校": 2,
    "兰州石化职业技术大学": 3, "甘肃林业职业技术学院": 2, "陕西职业技术学院": 2, "兰州资源环境职业技术大学": 2,
}  # fmt: skip
OTHER_INSTITUTIONS = {"青海开放大学": 6, "国家开放大学": 3, "青海省委党校": 1}
# Universities in Qinghai: their graduates come through the Education Dept; the rest through MOHRSS.
QINGHAI_UNIVERSITY_NAMES = (
    set(DEMO_UNIVERSITIES)
    | {"青海大学昆仑学院", "青海开放大学", "青海省委党校"}
    | {name for name in VOCATIONAL_COLLEGES if name.startswith(("青海", "西宁"))}
)

MAJORS = {
    "汉语言文学": 6, "英语": 4, "数学与应用数学": 4, "计算机科学与技术": 5, "软件工程": 3, "会计学": 5,
    "财务管理": 4, "工商管理": 3, "市场营销": 2, "法学": 4, "思想政治教育": 2, "学前教育": 4, "小学教育": 3,
    "体育教育": 2, "美术学": 2, "音乐学": 2, "临床医学": 3, "护理学": 4, "药学": 2, "藏医学": 2,
    "藏语言文学": 3, "土木工程": 3, "水利水电工程": 2, "电气工程及其自动化": 3, "机械设计制造及其自动化": 2,
    "化学工程与工艺": 2, "生物科学": 2, "动物医学": 2, "草业科学": 1, "农学": 1, "旅游管理": 2, "行政管理": 2,
    "社会工作": 2, "新闻学": 1, "地理科学": 2, "历史学": 2, "环境工程": 1, "采矿工程": 1, "材料科学与工程": 1,
    "物理学": 2, "化学": 2, "翻译": 1, "经济学": 2, "金融学": 2, "国际经济与贸易": 1, "人力资源管理": 1,
    "食品科学与工程": 1, "地质工程": 1, "生态学": 1, "民族学": 1, "蒙古语言文学": 0.3,
}  # fmt: skip
POSTGRADUATE_MAJORS = {
    "作物学": 2, "生态学": 3, "草学": 2, "畜牧学": 2, "兽医学": 2, "民族学": 3, "中国少数民族语言文学": 3,
    "马克思主义理论": 3, "中国语言文学": 3, "教育学": 3, "学科教学（语文）": 2, "学科教学（数学）": 2,
    "临床医学": 3, "中医学（藏医）": 2, "水利工程": 2, "土木工程": 2, "计算机科学与技术": 2, "化学": 2,
    "地理学": 2, "法学": 2, "工商管理": 2, "会计": 2, "公共管理": 2, "社会工作": 1, "新闻与传播": 1,
}  # fmt: skip
VOCATIONAL_MAJORS = {
    "护理": 8, "会计": 6, "计算机应用技术": 5, "学前教育": 6, "建筑工程技术": 4, "汽车检测与维修技术": 3,
    "畜牧兽医": 3, "电子商务": 3, "旅游管理": 3, "药学": 3, "市场营销": 2, "工程造价": 3, "道路桥梁工程技术": 2,
    "铁道交通运营管理": 2, "刑事执行": 1, "大数据与会计": 2, "机电一体化技术": 2, "临床医学": 2, "藏医学": 1,
    "酒店管理与数字化运营": 1, "现代物流管理": 1,
}  # fmt: skip

HARDSHIP_NONE_SHARE = 0.74  # "4 不属于困难情况"; the rest have one or more of:
HARDSHIP_PROBABILITIES = [("1", 0.08), ("2", 0.55), ("3", 0.04), ("T", 0.32), ("L", 0.10), ("S", 0.03)]
LOCATION_INTENTION_WEIGHTS = {"2": 55, "1": 15, "3": 25, "": 5}
NOT_SEEKING_SHARE = 0.05  # intention "9 自愿暂时不就业" (alone, and with no service needs)
NO_INTENTION_SHARE = 0.03  # not yet asked
INTENTION_PROBABILITIES = [
    ("1", 0.35), ("2", 0.45), ("3", 0.38), ("4", 0.05), ("5", 0.09), ("6", 0.02), ("7", 0.10), ("8", 0.01),
    ("A", 0.03),
]  # fmt: skip
NEED_PROBABILITIES = [
    ("1", 0.40), ("2", 0.55), ("3", 0.35), ("4", 0.20), ("5", 0.15), ("6", 0.08), ("7", 0.04), ("8", 0.04),
    ("9", 0.06), ("A", 0.02),
]  # fmt: skip
# Intention → needs it makes likelier (an entrepreneur wants entrepreneurship training and guidance).
NEEDS_FOR_INTENTION = {"4": ("7", "8"), "3": ("2", "4")}
SETTLED_DESTINATION_WEIGHTS = {
    "4": 35, "9": 20, "2": 12, "3": 8, "1": 5, "7": 6, "5": 4, "6": 4, "8": 1, "10": 1, "13": 4,
}  # fmt: skip
OPEN_DESTINATION_WEIGHTS = {"11": 40, "12": 35, "15": 25}  # verified graduates in an internship or training
# State by cohort age: the newest cohort is mostly still waiting; older ones are more often settled.
STATE_WEIGHTS_NEWEST = {
    "waiting": 50, "verified": 30, "unreachable": 7, "employed": 7, "not_seeking": 4, "transferred": 2,
}  # fmt: skip
STATE_WEIGHTS_OLDER = {
    "waiting": 25, "verified": 35, "unreachable": 10, "employed": 20, "not_seeking": 7, "transferred": 3,
}  # fmt: skip
VISIT_METHOD_WEIGHTS = {"phone": 70, "online": 15, "home": 8, "office": 7}
EXTRA_SOURCES = [("self", 0.08), ("report_in", 0.10), ("archive", 0.06), ("walk_in", 0.04)]

MOBILE_PREFIXES = (
    "130", "131", "132", "133", "134", "135", "136", "137", "138", "139", "145", "147", "150", "151", "152", "153",
    "155", "156", "157", "158", "159", "166", "170", "171", "172", "173", "175", "176", "177", "178", "180", "181",
    "182", "183", "184", "185", "186", "187", "188", "189", "191", "193", "195", "196", "197", "198", "199",
)  # fmt: skip
EMAIL_DOMAINS = {"qq.com": 70, "163.com": 15, "126.com": 8, "foxmail.com": 4, "sina.com": 3}
PREFECTURE_POSTCODE = {
    "6301": "810", "6302": "810", "6322": "812", "6323": "811", "6325": "813", "6326": "814", "6327": "815",
    "6328": "817",
}  # fmt: skip
PREFECTURE_AREA_CODE = {
    "6301": "0971", "6302": "0972", "6322": "0970", "6323": "0973", "6325": "0974", "6326": "0975",
    "6327": "0976", "6328": "0977",
}  # fmt: skip

# Name styles. Faker zh_CN gives the Han surnames (with their frequencies) and given names; Tibetan names
# (and many Qinghai Mongols' and Tu's) are two Tibetan elements without a surname, which Faker lacks.
TIBETAN_MALE = (
    "才让", "多杰", "扎西", "索南", "尼玛", "旦增", "才旦", "桑杰", "更登", "仁青", "久美", "公保",
    "华旦", "加措", "南加", "昂文", "东知", "完玛", "贡保", "拉加", "三知", "洛桑", "旦正", "才仁",
    "达瓦", "格桑", "次仁", "当周", "周加", "仁增", "万玛", "吉美", "才多", "夏吾",
)  # fmt: skip
TIBETAN_FEMALE = (
    "卓玛", "拉毛", "措", "央金", "德吉", "拉姆", "卓嘎", "措毛", "吉", "才措", "永吉", "娘吉",
    "尖措", "周措", "拉吉", "卓措", "德措", "曲措", "吉毛",
)  # fmt: skip
TIBETAN_FEMALE_ALONE = tuple(name for name in TIBETAN_FEMALE if len(name) > 1)  # 卓玛, but not 措 alone
TIBETAN_STYLE_SHARE = {"04": 0.8, "02": 0.35, "30": 0.1}
SURNAME_STYLE = {  # (share drawn from this pool instead of Faker's, pool)
    "03": (0.55, {"马": 45, "韩": 6, "冶": 5, "妥": 4, "喇": 4, "何": 6, "沈": 4, "白": 4, "杨": 5, "李": 5, "撒": 2}),
    "35": (0.85, {"韩": 45, "马": 25, "沈": 8, "冶": 5, "撒": 5, "何": 4, "陕": 4, "苏": 4}),
    "30": (0.50, {"李": 25, "祁": 12, "吕": 8, "鲁": 8, "星": 6, "东": 5, "赵": 8, "张": 8, "王": 10, "胡": 5}),
}  # fmt: skip
COMPANY_INDUSTRIES = (
    "商贸有限公司", "建筑工程有限公司", "生物科技有限公司", "农牧开发有限公司", "信息技术有限公司", "物流有限公司",
    "新能源有限公司", "盐湖化工有限公司", "餐饮管理有限公司", "文化旅游有限公司", "医药连锁有限公司", "物业服务有限公司",
)  # fmt: skip

GRADUATE_COLUMNS = (
    "id", "name", "gender", "ethnicity", "id_number", "birth_date", "university_id", "university_name",
    "graduation_date", "education", "major", "origin_region_id", "email", "postcode", "mobile", "landline",
    "hardship", "location_intention", "intentions", "service_needs", "destination", "cohort", "category",
    "sources", "state", "state_changed_at", "responsible_office_id", "staff_id", "unemployment_cert_no",
    "unemployment_cert_date", "created_at", "updated_at", "version", "school_status", "hand_edited",
    "id_number_digest",
)  # fmt: skip
ID_NUMBER = GRADUATE_COLUMNS.index("id_number")
SOURCE_COLUMNS = ("graduate_id", "channel", "reference", "received_at", "office_id", "created_by_id")
VISIT_COLUMNS = (
    "graduate_id", "visited_on", "method", "outcome", "destination", "employer", "note", "staff_id", "office_id",
    "created_at",
)  # fmt: skip
NULL = r"\N"  # COPY's NULL marker; an empty field is an empty string

# The code lists' orders as plain tuples (TextChoices.values rebuilds its list at every access: too slow here).
NEED_ORDER = {code: i for i, code in enumerate(ServiceNeed.values)}
SOURCE_ORDER = tuple(SourceChannel.values)
# Enum members cost an attribute lookup each time; the generator compares plain strings.
NOT_SEEKING = State.NOT_SEEKING.value
WAITING = State.WAITING.value
EMPLOYED = State.EMPLOYED.value
VERIFIED = State.VERIFIED.value
UNREACHABLE = State.UNREACHABLE.value
INTENTION_NOT_SEEKING = Intention.NOT_SEEKING.value
DESTINATION_NOT_SEEKING = Destination.NOT_SEEKING.value
DESTINATION_STUDY = Destination.STUDY.value
STUDYING = State.STUDYING.value
FRESH = Category.FRESH.value
YOUTH = Category.UNEMPLOYED_YOUTH.value
PREVIOUS = Category.PREVIOUS.value
EDUCATION = SourceChannel.EDUCATION.value
UNIVERSITY = SourceChannel.UNIVERSITY.value
MOHRSS = SourceChannel.MOHRSS.value
WALK_IN = SourceChannel.WALK_IN.value
REACHED = VisitOutcome.REACHED.value
NOT_REACHED = VisitOutcome.NOT_REACHED.value


# --- small helpers ------------------------------------------------------------------------------------------------


class Weighted:
    """A weighted choice that costs one `random()` draw, whatever the weights (so the stream stays stable)."""

    __slots__ = ("cumulative", "total", "values")

    def __init__(self, weights: dict | Sequence[tuple]):
        items = list(weights.items()) if isinstance(weights, dict) else list(weights)
        items = [(value, weight) for value, weight in items if weight > 0]
        if not items:
            raise ValueError("no value with a positive weight")
        self.values = [value for value, _ in items]
        self.cumulative = []
        total = 0.0
        for _, weight in items:
            total += weight
            self.cumulative.append(total)
        self.total = total

    def __call__(self, draw: Callable[[], float]):
        return self.values[min(bisect(self.cumulative, draw() * self.total), len(self.values) - 1)]


def _codes(draw: Callable[[], float], probabilities: list[tuple[str, float]]) -> list[str]:
    """Each code independently with its probability; returned in the list's official order."""
    return [code for code, probability in probabilities if draw() < probability]


def _array(values: list[str]) -> str:
    """A PostgreSQL array literal for codes (no quoting needed: codes are letters and digits)."""
    return "{" + ",".join(values) + "}"


def default_cohorts(today: datetime.date | None = None) -> list[int]:
    """The last three cohorts, ending with the current year's."""
    year = (today or timezone.localdate()).year
    return [year - 2, year - 1, year]


def id_number(region: str, birth: str, sequence: int) -> str:
    """An 18-character GB 11643 number: region + YYYYMMDD + 3-digit sequence + check digit."""
    body = f"{region}{birth}{sequence:03d}"
    return body + ric.calc_check_digit(body + "0")  # calc_check_digit ignores the 18th character


# --- the reference data a run needs, read once ----------------------------------------------------------------


@dataclass
class _Reference:
    bureau_id: int
    qinghai_counties: Weighted
    qinghai_counties_moving: Weighted  # for the "moved within Qinghai" origins: 西宁 draws more people
    county_names: dict[str, str]
    abolished: list[tuple[str, str, int | None, int | None]]  # (code, successor, valid_from, valid_to)
    other_provinces: Weighted
    counties_by_province: dict[str, list[str]]
    employment_office: dict[str, int]  # region code → employment office id
    office_users: dict[int, list[int]]  # office id → active user ids
    office_parent: dict[int, int | None]
    university_ids: dict[str, int]  # name → office id
    surnames: Weighted
    male_given: list[str]
    female_given: list[str]
    male_chars: list[str]
    female_chars: list[str]
    companies: list[str]

    @classmethod
    def load(cls, seed: int) -> _Reference:
        try:
            from faker import Faker
            from faker.providers.person.zh_CN import Provider as PersonProvider
        except ImportError as exc:  # Faker is a development dependency (pyproject: [dev])
            raise RuntimeError("generating demo data needs Faker: pip install 'Faker>=30'") from exc

        bureau = Office.objects.filter(kind=OfficeKind.BUREAU, region_id=DEMO_PROVINCE).first()
        if bureau is None:
            seed_demo_province()
            bureau = Office.objects.get(kind=OfficeKind.BUREAU, region_id=DEMO_PROVINCE)
        prefix = DEMO_PROVINCE[:2]
        counties = (
            Region.objects.current()
            .filter(level=RegionLevel.COUNTY)
            .exclude(name__in=PLACEHOLDER_NAMES)
            .values_list("code", "name")
        )
        county_names = dict(counties)
        qinghai = sorted(code for code in county_names if code.startswith(prefix))
        weights = {code: COUNTY_WEIGHTS.get(code, UNLISTED_COUNTY_WEIGHT) for code in qinghai}
        moving = {code: w * (3 if code.startswith(prefix + "01") else 1) for code, w in weights.items()}
        by_province: dict[str, list[str]] = defaultdict(list)
        for code in sorted(county_names):
            if not code.startswith(prefix):
                by_province[code[:2]].append(code)
        provinces = {p: NEIGHBOUR_PROVINCE_WEIGHTS.get(p, 1) for p in sorted(by_province)}

        # Abolished Qinghai county codes whose (final) successor is a current county: an old ID number's region.
        abolished_rows = Region.objects.filter(
            code__startswith=prefix, level=RegionLevel.COUNTY, valid_to__isnull=False
        ).values_list("code", "successor_id", "valid_from", "valid_to")
        successor = {code: succ for code, succ, _, _ in abolished_rows}
        abolished = []
        for code, succ, valid_from, valid_to in abolished_rows:
            seen = {code}
            while succ in successor and succ not in seen:  # follow a chain (632124 → 630122 → 630106)
                seen.add(succ)
                succ = successor[succ]
            if succ in weights:
                abolished.append((code, succ, valid_from, valid_to))
        abolished.sort()

        offices = Office.objects.employment_offices().active().values_list("id", "region_id", "parent_id")
        employment_office = {region: pk for pk, region, _ in offices}
        office_parent = {pk: parent for pk, _, parent in offices}
        office_users: dict[int, list[int]] = defaultdict(list)
        for pk, office_id in (
            User.objects.filter(is_active=True, office_id__in=office_parent)
            .order_by("pk")
            .values_list("pk", "office_id")
        ):
            office_users[office_id].append(pk)
        universities = dict(Office.objects.universities().values_list("name", "id"))

        fake = Faker("zh_CN")
        fake.seed_instance(seed)
        company_prefixes = sorted({fake.company_prefix() for _ in range(400)})
        companies = [
            f"青海{prefix_}{industry}" for prefix_ in company_prefixes for industry in COMPANY_INDUSTRIES
        ]
        male_given = list(PersonProvider.first_names_male)
        female_given = list(PersonProvider.first_names_female)
        return cls(
            bureau_id=bureau.pk,
            qinghai_counties=Weighted(weights),
            qinghai_counties_moving=Weighted(moving),
            county_names=county_names,
            abolished=abolished,
            other_provinces=Weighted(provinces),
            counties_by_province=dict(by_province),
            employment_office=employment_office,
            office_users=dict(office_users),
            office_parent=office_parent,
            university_ids=universities,
            surnames=Weighted(dict(PersonProvider.last_names)),
            male_given=male_given,
            female_given=female_given,
            male_chars=sorted({c for name in male_given for c in name}),
            female_chars=sorted({c for name in female_given for c in name}),
            companies=companies,
        )


# --- one generated person -----------------------------------------------------------------------------------------


class _Person:
    """One graduate with the pieces of the ID number kept apart, so a clash can be fixed by a new sequence."""

    __slots__ = (
        "birth",
        "gender",
        "id_number",
        "region",
        "row",
        "sources",
        "visits",
    )


class _Generator:
    def __init__(
        self,
        *,
        ref: _Reference,
        rng: random.Random,
        cohorts: list[int],
        visit_share: float,
        now: datetime.datetime,
    ):
        self.ref = ref
        self.rng = rng
        self.draw = rng.random
        self.cohorts = sorted(cohorts)
        self.newest = self.cohorts[-1]
        self.now = now
        self.tz = ZoneInfo(settings.TIME_ZONE)
        self.today = now.astimezone(self.tz).date()
        self.cohort = Weighted({c: 1.5**i for i, c in enumerate(self.cohorts)})
        self.education = Weighted(EDUCATION_WEIGHTS)
        self.age = {level: Weighted(weights) for level, weights in AGE_AT_GRADUATION.items()}
        self.ethnicity = {area: Weighted(weights) for area, weights in ETHNICITY_BY_AREA.items()}
        self.demo_universities = Weighted(DEMO_UNIVERSITIES)
        self.demo_universities_pg = Weighted(DEMO_UNIVERSITIES_POSTGRADUATE)
        self.other_universities = Weighted(OTHER_UNIVERSITIES)
        self.vocational = Weighted(VOCATIONAL_COLLEGES)
        self.other_institutions = Weighted(OTHER_INSTITUTIONS)
        self.majors = Weighted(MAJORS)
        self.pg_majors = Weighted(POSTGRADUATE_MAJORS)
        self.vocational_majors = Weighted(VOCATIONAL_MAJORS)
        self.location_intention = Weighted(LOCATION_INTENTION_WEIGHTS)
        self.settled_destination = Weighted(SETTLED_DESTINATION_WEIGHTS)
        self.open_destination = Weighted(OPEN_DESTINATION_WEIGHTS)
        self.state_newest = Weighted(STATE_WEIGHTS_NEWEST)
        self.state_older = Weighted(STATE_WEIGHTS_OLDER)
        self.visit_method = Weighted(VISIT_METHOD_WEIGHTS)
        self.email_domain = Weighted(EMAIL_DOMAINS)
        self.surname_styles = {eth: (share, Weighted(pool)) for eth, (share, pool) in SURNAME_STYLE.items()}
        self.visit_probability = self._visit_probabilities(visit_share)
        self._abolished_by_year: dict[int, list[tuple[str, str]]] = {}

    # Employed and not-seeking graduates were necessarily contacted: they get visits first; the other contacted
    # states share what is left of the requested share. Waiting ones (待联系) were never visited.
    def _visit_probabilities(self, share: float) -> dict[tuple[bool, str], float]:
        probabilities = {}
        for newest, weights in ((True, STATE_WEIGHTS_NEWEST), (False, STATE_WEIGHTS_OLDER)):
            total = sum(weights.values())
            forced = (weights["employed"] + weights["not_seeking"]) / total
            contacted = (total - weights["waiting"]) / total
            for state in weights:
                if state == "waiting" or share <= 0:
                    p = 0.0
                elif state in ("employed", "not_seeking"):
                    p = min(1.0, share / forced)
                else:
                    p = max(0.0, min(1.0, (share - forced) / (contacted - forced)))
                probabilities[(newest, state)] = p
            # 升学出国 is drawn among the employed (destination 13): visited as they are.
            probabilities[(newest, STUDYING)] = probabilities[(newest, "employed")]
        return probabilities

    def _pick(self, values: Sequence):
        return values[int(self.draw() * len(values))]

    def _between(self, start: datetime.date, end: datetime.date) -> datetime.date:
        days = (end - start).days
        return start + datetime.timedelta(days=int(self.draw() * (days + 1))) if days > 0 else start

    def _office_time(self, day: datetime.date) -> datetime.datetime:
        """A moment of office hours on DAY, never in the future."""
        seconds = 8 * 3600 + 30 * 60 + int(self.draw() * 9 * 3600)
        moment = datetime.datetime.combine(day, datetime.time(), self.tz) + datetime.timedelta(
            seconds=seconds
        )
        return min(moment, self.now)

    def _abolished_for(self, year: int) -> list[tuple[str, str]]:
        """Abolished codes in use in YEAR (an ID number gets the code of its time)."""
        cached = self._abolished_by_year.get(year)
        if cached is None:
            cached = [
                (code, successor)
                for code, successor, valid_from, valid_to in self.ref.abolished
                if (valid_from or 0) <= year < (valid_to or 9999)
            ]
            self._abolished_by_year[year] = cached
        return cached

    def _name(self, ethnicity: str, gender: str) -> str:
        draw, ref = self.draw, self.ref
        male = gender == "1"
        tibetan_share = TIBETAN_STYLE_SHARE.get(ethnicity)
        if tibetan_share and draw() < tibetan_share:
            if male:
                first = self._pick(TIBETAN_MALE)
                return first if draw() < 0.15 else first + self._pick(TIBETAN_MALE)
            roll = draw()
            if roll < 0.25:
                return self._pick(TIBETAN_FEMALE_ALONE)
            first = self._pick(TIBETAN_MALE) if roll < 0.75 else self._pick(TIBETAN_FEMALE)
            return first + self._pick(TIBETAN_FEMALE)
        style = self.surname_styles.get(ethnicity)
        surname = style[1](draw) if style and draw() < style[0] else ref.surnames(draw)
        if draw() < 0.4:
            given = self._pick(ref.male_given if male else ref.female_given)
        else:
            chars = ref.male_chars if male else ref.female_chars
            given = self._pick(chars) + self._pick(chars)
        return surname + given

    def person(self) -> _Person:
        """One row of the registry, field by field (one long function: it reads best in one place)."""
        draw, ref = self.draw, self.ref
        p = _Person()
        cohort = self.cohort(draw)
        newest = cohort == self.newest
        education = self.education(draw)
        age = self.age[education](draw)
        # Born so as to be AGE at graduation (30 June of the cohort year).
        birth_date = datetime.date(cohort - age, 7, 1) - datetime.timedelta(days=1 + int(draw() * 365))
        gender = "1" if draw() < 0.47 else "2"

        # Region of the ID number and origin (入学前户口所在地).
        roll = draw()
        if roll < SHARE_OUT_OF_PROVINCE_ID:
            province = ref.other_provinces(draw)
            region = self._pick(ref.counties_by_province[province])
            origin = region if draw() < SHARE_OUT_OF_PROVINCE_ORIGIN else ref.qinghai_counties_moving(draw)
        else:
            origin = ref.qinghai_counties(draw)
            region = origin
            if roll < SHARE_OUT_OF_PROVINCE_ID + SHARE_ABOLISHED_CODE:
                old = self._abolished_for(birth_date.year)
                if old:
                    region, origin = self._pick(old)
            elif draw() < SHARE_MOVED_WITHIN_QINGHAI:
                origin = ref.qinghai_counties_moving(draw)
        in_province = origin.startswith(DEMO_PROVINCE[:2])
        p.region = region
        p.birth = birth_date.strftime("%Y%m%d")
        p.gender = gender
        p.id_number = id_number(region, p.birth, self._sequence(gender))

        ethnicity_weights = (
            self.ethnicity.get(origin) or self.ethnicity.get(origin[:4]) or self.ethnicity.get(region[:2])
        )
        ethnicity = (ethnicity_weights or self.ethnicity["*"])(draw)
        name = self._name(ethnicity, gender)

        # University and major by education level.
        if education == "4":
            roll = draw()
            university = self.vocational(draw) if roll < 0.65 else self.demo_universities(draw)
            major = self.vocational_majors(draw)
        elif education == "5":
            university = self.other_institutions(draw) if draw() < 0.7 else self.demo_universities(draw)
            major = self.vocational_majors(draw) if draw() < 0.5 else self.majors(draw)
        elif education in ("1", "2"):
            university = self.demo_universities_pg(draw) if draw() < 0.7 else self.other_universities(draw)
            major = self.pg_majors(draw)
        else:
            university = self.demo_universities(draw) if draw() < 0.8 else self.other_universities(draw)
            major = self.majors(draw)
        university_id = ref.university_ids.get(university)
        graduation_date = datetime.date(cohort, 6, 30)
        if draw() >= 0.85:  # some leave between 10 June and 10 July
            graduation_date = datetime.date(cohort, 6, 10) + datetime.timedelta(days=int(draw() * 31))

        # Contact details.
        mobile = self._pick(MOBILE_PREFIXES) + f"{int(draw() * 100_000_000):08d}"
        email = ""
        if draw() < 0.35:
            domain = self.email_domain(draw)
            if domain in ("qq.com", "foxmail.com"):
                email = f"{int(10**7 + draw() * 3 * 10**9)}@{domain}"
            else:
                letters = "".join(chr(97 + int(draw() * 26)) for _ in range(3 + int(draw() * 5)))
                email = f"{letters}{int(draw() * 10000)}@{domain}"
        postcode = landline = ""
        if in_province:
            if draw() < 0.6:
                postcode = f"{PREFECTURE_POSTCODE.get(origin[:4], '810')}{int(draw() * 10)}00"
            if draw() < 0.08:
                landline = (
                    f"{PREFECTURE_AREA_CODE.get(origin[:4], '0971')}-{int(6_000_000 + draw() * 3_999_999)}"
                )

        # The 登记表's code lists.
        hardship = ["4"] if draw() < HARDSHIP_NONE_SHARE else (_codes(draw, HARDSHIP_PROBABILITIES) or ["2"])
        location_intention = self.location_intention(draw)
        state = (self.state_newest if newest else self.state_older)(draw)
        roll = draw()
        if state == NOT_SEEKING or roll < NOT_SEEKING_SHARE:
            intentions: list[str] = [INTENTION_NOT_SEEKING]
            needs: list[str] = []
        elif roll < NOT_SEEKING_SHARE + NO_INTENTION_SHARE and state == WAITING:
            intentions, needs = [], []
        else:
            intentions = _codes(draw, INTENTION_PROBABILITIES) or ["3"]
            needs = _codes(draw, NEED_PROBABILITIES)
            for intention in intentions:
                for need in NEEDS_FOR_INTENTION.get(intention, ()):
                    if need not in needs and draw() < 0.5:
                        needs.append(need)
            needs.sort(key=NEED_ORDER.__getitem__)
        destination = ""
        if state == EMPLOYED:
            destination = self.settled_destination(draw)
            if destination == DESTINATION_STUDY:
                state = STUDYING  # settled, but not employment
        elif state == NOT_SEEKING:
            destination = DESTINATION_NOT_SEEKING
        elif state == VERIFIED and draw() < 0.12:
            destination = self.open_destination(draw)
        category = FRESH if newest else (YOUTH if draw() < 0.08 else PREVIOUS)

        # Who holds the record.
        prefecture = origin[:4] + "00"
        office_id = ref.bureau_id
        if in_province:
            office_id = ref.employment_office.get(prefecture, ref.bureau_id)
            if prefecture in PASSED_TO_COUNTY_PREFECTURES and draw() < SHARE_PASSED_TO_COUNTY:
                office_id = ref.employment_office.get(origin, office_id)
        users = ref.office_users.get(office_id)
        staff_id = self._pick(users) if users and draw() < SHARE_ASSIGNED_STAFF else None

        # When: handed over from July of the cohort year, up to the next June (never in the future).
        start = datetime.date(cohort, 7, 1)
        end = min(datetime.date(cohort + 1, 6, 30), self.today)
        if start > end:
            start = end - datetime.timedelta(days=30)
        created_at = self._office_time(self._between(start, end))
        state_changed_at = (
            created_at
            if state == WAITING
            else self._office_time(self._between(created_at.date(), self.today))
        )
        state_changed_at = max(state_changed_at, created_at)

        # Sources: province-run (Qinghai) universities' graduates come from the Education Dept, natives of
        # out-of-province universities from MOHRSS, anyone else walked in.
        if university in QINGHAI_UNIVERSITY_NAMES:
            first = EDUCATION if draw() < 0.85 else UNIVERSITY
        elif in_province:
            first = MOHRSS
        else:
            first = WALK_IN
        channels = {first, *(c for c, probability in EXTRA_SOURCES if draw() < probability)}
        sources = [c for c in SOURCE_ORDER if c in channels]
        p.sources = [
            self._source(channel, cohort, university, created_at, office_id, index)
            for index, channel in enumerate(sources)
        ]

        unemployment_cert_no = ""
        unemployment_cert_date = None
        if category == YOUTH and draw() < 0.6:
            unemployment_cert_date = created_at.date()
            unemployment_cert_no = f"{origin}{unemployment_cert_date:%Y}{int(draw() * 1_000_000):06d}"

        p.visits = []
        if draw() < self.visit_probability[(newest, state)]:
            p.visits = self._visits(state, destination, created_at, office_id, origin)
        version = 1 + (state != WAITING) + len(p.visits)

        p.row = [
            None,  # id, set when the batch's ids are reserved
            name,
            gender,
            ethnicity,
            p.id_number,
            birth_date.isoformat(),
            university_id if university_id is not None else NULL,
            university,
            graduation_date.isoformat(),
            education,
            major,
            origin,
            email,
            postcode,
            mobile,
            landline,
            _array(hardship),
            location_intention,
            _array(intentions),
            _array(needs),
            destination,
            cohort,
            category,
            _array(sources),
            state,
            state_changed_at.isoformat(),
            office_id,
            staff_id if staff_id is not None else NULL,
            unemployment_cert_no,
            unemployment_cert_date.isoformat() if unemployment_cert_date else NULL,
            created_at.isoformat(),
            state_changed_at.isoformat(),
            version,
            "signed" if state == "employed" and "university" in sources and draw() < 0.3 else "unemployed",
            "{}",  # hand_edited: nobody has edited generated records by hand
        ]
        return p

    def _sequence(self, gender: str) -> int:
        """The 3-digit order number: odd for men, even for women (never 000)."""
        k = 1 + int(self.draw() * 499)
        return 2 * k + 1 if gender == "1" else 2 * k

    def new_sequence(self, p: _Person) -> None:
        p.id_number = id_number(p.region, p.birth, self._sequence(p.gender))
        p.row[4] = p.id_number

    def _source(
        self,
        channel: str,
        cohort: int,
        university: str,
        created_at: datetime.datetime,
        office_id: int,
        index: int,
    ) -> list:
        if channel == EDUCATION:
            reference, office = (
                f"{cohort}届省属院校未就业毕业生移交第{1 + int(self.draw() * 4)}批",
                self.ref.bureau_id,
            )
        elif channel == MOHRSS:
            reference, office = f"人社部{cohort}届省外院校青海生源名单", self.ref.bureau_id
        elif channel == UNIVERSITY:
            reference, office = f"{university}{cohort}届离校未就业毕业生名单.xlsx", self.ref.bureau_id
        else:
            reference, office = "", office_id
        received = created_at + datetime.timedelta(days=index * int(1 + self.draw() * 40))
        return [None, channel, reference, min(received, self.now).isoformat(), office, NULL]

    def _visit_staff(self, office_id: int) -> int | None:
        """A user of the office, else of its parent office, else of the bureau (a visit always has a 回访人)."""
        office: int | None = office_id
        while office is not None:
            users = self.ref.office_users.get(office)
            if users:
                return self._pick(users)
            office = self.ref.office_parent.get(office)
        users = self.ref.office_users.get(self.ref.bureau_id)
        return self._pick(users) if users else None

    def _visits(
        self, state: str, destination: str, created_at: datetime.datetime, office_id: int, origin: str
    ) -> list[list]:
        staff_id = self._visit_staff(office_id)
        if staff_id is None:
            return []
        count = 2 if self.draw() < 0.35 else 1
        visits = []
        day = created_at.date()
        for number in range(count):
            last = number == count - 1
            day = self._between(day, self.today)
            reached = state != UNREACHABLE or (not last and self.draw() < 0.2)
            visit_destination = destination if last and reached else ""
            employer = ""
            if visit_destination in ("3", "4"):
                employer = self._pick(self.ref.companies)
            elif visit_destination in ("1", "2"):
                place = self.ref.county_names.get(origin, "西宁市")
                employer = place + self._pick(
                    ("人民政府办公室", "第一中学", "人民医院", "融媒体中心", "疾病预防控制中心")
                )
            elif visit_destination == "7":
                employer = f"“三支一扶”计划（{self.ref.county_names.get(origin, '青海省')}）"
            note = _visit_note(reached, visit_destination)
            method = self.visit_method(self.draw)
            visits.append(
                [
                    None,
                    day.isoformat(),
                    method,
                    REACHED if reached else NOT_REACHED,
                    visit_destination,
                    employer,
                    note,
                    staff_id,
                    office_id,
                    self._office_time(day).isoformat(),
                ]
            )
        return visits


def _visit_note(reached: bool, destination: str) -> str:
    if not reached:
        return "电话无人接听，已短信告知服务内容，待再次联系。"
    if destination in ("1", "2", "3", "4", "5", "6", "7", "8", "9", "10"):
        return f"本人反馈已落实就业（{Destination(destination).label}），已登记去向。"
    if destination == "13":
        return "本人已升学，登记去向。"
    if destination == "14":
        return "本人表示暂不就业，已告知可随时来办理求职登记。"
    if destination in ("11", "12"):
        return f"正在参加{Destination(destination).label}，继续跟踪服务。"
    return "已联系，核实基本信息，推送岗位信息 3 条。"


# --- writing --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BatchProgress:
    batch: int
    batches: int
    graduates: int  # written so far in this run
    total: int  # asked for
    seconds: float  # since the run started
    batch_seconds: float
    rows_per_second: float  # graduates per second over the run so far


@dataclass(frozen=True)
class GenerationResult:
    graduates: int
    sources: int
    visits: int
    seconds: float
    id_clashes: int  # ID numbers drawn again because they already existed

    @property
    def rows_per_second(self) -> float:
        return self.graduates / self.seconds if self.seconds else 0.0


def _check_columns() -> None:
    """Fail loudly when the model gained or lost a column this generator does not write."""
    for model, columns, skip in (
        (Graduate, GRADUATE_COLUMNS, set()),
        (GraduateSource, SOURCE_COLUMNS, {"id"}),
        (FollowUpVisit, VISIT_COLUMNS, {"id"}),
    ):
        expected = {f.column for f in model._meta.concrete_fields} - skip
        if expected != set(columns):
            raise RuntimeError(
                f"{model._meta.db_table}: the generator writes {sorted(set(columns) - expected)} too many and "
                f"{sorted(expected - set(columns))} too few columns; update graduates/demo_data.py."
            )


def _at_rest(row: list) -> list:
    """A person's row as stored: the ID number encrypted (SM4-GCM), its blind index in the last column."""
    number = row[ID_NUMBER]
    return [*row[:ID_NUMBER], crypto.encrypt(number), *row[ID_NUMBER + 1 :], crypto.blind_index(number)]


def _csv(rows: list[list]) -> io.StringIO:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    buffer.seek(0)
    return buffer


def _copy_all(cursor, copies: list[tuple[str, Sequence[str], io.StringIO]]) -> None:
    for table, columns, buffer in copies:
        if buffer.getvalue():
            cursor.copy_expert(
                f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv, NULL '{NULL}')",
                buffer,
                1 << 20,  # the buffer size, positional: Django's CursorDebugWrapper (DEBUG) takes no keywords
            )


def _make_unique(cursor, generator: _Generator, people: list[_Person]) -> int:
    """Redraw the sequence of every ID number that repeats within the batch or already exists; return how many."""
    clashes = 0
    pending = people
    seen: set[str] = set()
    while pending:
        fresh, repeat = [], []
        for p in pending:
            if p.id_number in seen:
                repeat.append(p)
            else:
                seen.add(p.id_number)
                fresh.append(p)
        digests = {crypto.blind_index(p.id_number): p for p in fresh}
        cursor.execute(
            "SELECT id_number_digest FROM graduates_graduate WHERE id_number_digest = ANY(%s)",
            [list(digests)],
        )
        repeat += [digests[row[0]] for row in cursor.fetchall()]
        for p in repeat:
            generator.new_sequence(p)
        clashes += len(repeat)
        pending = repeat
    return clashes


def _stream_key(seed: int, existing: int) -> str:
    """The random stream of a run: the seed and how many graduates exist, so that a second run adds others."""
    return f"graduates/{seed}/{existing}"


def generate_graduates(
    *,
    count: int,
    seed: int = DEFAULT_SEED,
    cohorts: list[int] | None = None,
    visit_share: float = DEFAULT_VISIT_SHARE,
    batch_size: int = DEFAULT_BATCH,
    now: datetime.datetime | None = None,
    progress: Callable[[BatchProgress], None] | None = None,
) -> GenerationResult:
    """Add COUNT generated graduates (with their sources and visits) to the demo province, one transaction and
    one COPY per table per batch; then ANALYZE (VACUUM ANALYZE when not inside a transaction).

    The output depends only on SEED, the cohorts and how many graduates exist already: the same seed on an
    empty table gives the same people; a second run continues with other people and never repeats an ID number.
    """
    if count < 0:
        raise ValueError("count must not be negative")
    if batch_size < 1:
        raise ValueError("batch_size must be positive")
    if not 0 <= visit_share <= 1:
        raise ValueError("visit_share must lie between 0 and 1")
    _check_columns()
    now = now or timezone.now()
    cohorts = sorted(set(cohorts or default_cohorts(now.astimezone(ZoneInfo(settings.TIME_ZONE)).date())))
    started = time.perf_counter()
    ref = _Reference.load(seed)
    existing = Graduate.objects.count()
    # The run's stream depends on what is there already: running twice adds other people.
    rng = random.Random(_stream_key(seed, existing))  # noqa: S311 - demo data, not secrets
    generator = _Generator(ref=ref, rng=rng, cohorts=cohorts, visit_share=visit_share, now=now)

    written = sources_written = visits_written = clashes = 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence('graduates_graduate', 'id')")
        sequence = cursor.fetchone()[0]
        sizes = [min(batch_size, count - i) for i in range(0, count, batch_size)]
        people = [generator.person() for _ in range(sizes[0])] if sizes else []
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="copy") as copier:
            for batch, size in enumerate(sizes, start=1):
                batch_started = time.perf_counter()
                with transaction.atomic():
                    # Demo data: a crash may lose the last batches, no need to wait for the WAL flush; GIN
                    # entries go to the pending list and are merged by the final VACUUM/ANALYZE.
                    cursor.execute("SET LOCAL synchronous_commit = off")
                    cursor.execute("SET LOCAL gin_pending_list_limit = '64MB'")
                    clashes += _make_unique(cursor, generator, people)
                    cursor.execute("SELECT nextval(%s) FROM generate_series(1, %s)", [sequence, size])
                    ids = [row[0] for row in cursor.fetchall()]
                    source_rows, visit_rows = [], []
                    for pk, p in zip(ids, people, strict=True):
                        p.row[0] = pk
                        for row in p.sources:
                            row[0] = pk
                            source_rows.append(row)
                        for row in p.visits:
                            row[0] = pk
                            visit_rows.append(row)
                    copies = [
                        (Graduate._meta.db_table, GRADUATE_COLUMNS, _csv([_at_rest(p.row) for p in people])),
                        (GraduateSource._meta.db_table, SOURCE_COLUMNS, _csv(source_rows)),
                        (FollowUpVisit._meta.db_table, VISIT_COLUMNS, _csv(visit_rows)),
                    ]
                    # PostgreSQL ingests this batch (psycopg2 releases the GIL meanwhile) while Python draws the
                    # next one: the two cores both work. The main thread does not touch the connection until
                    # the COPY is done, and the transaction does not end before it.
                    copying = copier.submit(_copy_all, cursor, copies)
                    try:
                        next_size = sizes[batch] if batch < len(sizes) else 0
                        next_people = [generator.person() for _ in range(next_size)]
                    finally:
                        copying.result()
                    record_audit(
                        action="graduates.demo_generated",
                        data={"count": size, "seed": seed, "first_id": ids[0], "last_id": ids[-1]},
                    )
                people = next_people
                written += size
                sources_written += len(source_rows)
                visits_written += len(visit_rows)
                if progress is not None:
                    elapsed = time.perf_counter() - started
                    progress(
                        BatchProgress(
                            batch=batch,
                            batches=len(sizes),
                            graduates=written,
                            total=count,
                            seconds=elapsed,
                            batch_seconds=time.perf_counter() - batch_started,
                            rows_per_second=written / elapsed if elapsed else 0.0,
                        )
                    )
        if written:
            tables = ", ".join(m._meta.db_table for m in (Graduate, GraduateSource, FollowUpVisit))
            # VACUUM also sets the visibility map, so that counts can use index-only scans (autovacuum would do
            # it later anyway); it cannot run inside a transaction (tests), where ANALYZE alone does.
            cursor.execute(f"{'ANALYZE' if connection.in_atomic_block else 'VACUUM (ANALYZE)'} {tables}")
    return GenerationResult(
        graduates=written,
        sources=sources_written,
        visits=visits_written,
        seconds=time.perf_counter() - started,
        id_clashes=clashes,
    )


# --- people for roster files (the living demo's uploads: seed_demo) ---------------------------------------------


@dataclass(frozen=True)
class RosterPerson:
    """One generated graduate as a roster file names them: the 登记表's fields, codes as the 汇总表 writes them."""

    name: str
    ethnicity: str  # GB/T 3304 code
    id_number: str
    university: str
    graduation_date: datetime.date
    education: str
    major: str
    origin: str  # 入学前户口所在地, a GB/T 2260 code (in or out of the province)
    email: str
    postcode: str
    mobile: str
    landline: str
    hardship: str  # concatenated codes ("13"), as the 汇总表 writes several
    location_intention: str
    intentions: str
    service_needs: str


def _joined(array_literal: str) -> str:
    return array_literal.strip("{}").replace(",", "")


def roster_people(
    *,
    cohort: int,
    seed: int = DEFAULT_SEED,
    now: datetime.datetime | None = None,
    taken: set[str] | None = None,
) -> Iterator[RosterPerson]:
    """Endless generated graduates of COHORT, shaped like the registry (origins, ethnicities, names, universities
    as `generate_graduates` draws them), for roster files that go through the real import. The same seed and
    cohort give the same people. ID numbers in TAKEN (updated as people are drawn) are never given twice."""
    ref = _Reference.load(seed)
    rng = random.Random(f"roster/{seed}/{cohort}")  # noqa: S311 - demo data, not secrets
    generator = _Generator(ref=ref, rng=rng, cohorts=[cohort], visit_share=0, now=now or timezone.now())
    taken = set() if taken is None else taken
    while True:
        p = generator.person()
        while p.id_number in taken:
            generator.new_sequence(p)
        taken.add(p.id_number)
        row = p.row
        yield RosterPerson(
            name=row[1],
            ethnicity=row[3],
            id_number=p.id_number,
            university=row[7],
            graduation_date=datetime.date.fromisoformat(row[8]),
            education=row[9],
            major=row[10],
            origin=row[11],
            email=row[12],
            postcode=row[13],
            mobile=row[14],
            landline=row[15],
            hardship=_joined(row[16]),
            location_intention=row[17],
            intentions=_joined(row[18]),
            service_needs=_joined(row[19]),
        )
