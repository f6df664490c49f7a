"""The official code lists of the 登记表 (人社厅发〔2012〕69号 annex 1) and the national standards it cites.

Every list is a TextChoices whose values are the official codes, so what is stored is what the 汇总表 reports.
Multi-valued fields (困难状况, 就业意向, 就业服务需求) are written as the concatenated codes in code order ("13").
"""

from django.db import models


class Gender(models.TextChoices):
    """GB/T 2261.1-2003."""

    MALE = "1", "男"
    FEMALE = "2", "女"


class Ethnicity(models.TextChoices):
    """GB/T 3304-1991 民族名称的罗马字母拼写法和代码 (numeric codes), with 97 and 98."""

    HAN = "01", "汉族"
    MONGOL = "02", "蒙古族"
    HUI = "03", "回族"
    TIBETAN = "04", "藏族"
    UYGHUR = "05", "维吾尔族"
    MIAO = "06", "苗族"
    YI = "07", "彝族"
    ZHUANG = "08", "壮族"
    BUYI = "09", "布依族"
    KOREAN = "10", "朝鲜族"
    MANCHU = "11", "满族"
    DONG = "12", "侗族"
    YAO = "13", "瑶族"
    BAI = "14", "白族"
    TUJIA = "15", "土家族"
    HANI = "16", "哈尼族"
    KAZAK = "17", "哈萨克族"
    DAI = "18", "傣族"
    LI = "19", "黎族"
    LISU = "20", "傈僳族"
    VA = "21", "佤族"
    SHE = "22", "畲族"
    GAOSHAN = "23", "高山族"
    LAHU = "24", "拉祜族"
    SUI = "25", "水族"
    DONGXIANG = "26", "东乡族"
    NAXI = "27", "纳西族"
    JINGPO = "28", "景颇族"
    KIRGIZ = "29", "柯尔克孜族"
    TU = "30", "土族"
    DAUR = "31", "达斡尔族"
    MULAO = "32", "仫佬族"
    QIANG = "33", "羌族"
    BLANG = "34", "布朗族"
    SALAR = "35", "撒拉族"
    MAONAN = "36", "毛南族"
    GELAO = "37", "仡佬族"
    XIBE = "38", "锡伯族"
    ACHANG = "39", "阿昌族"
    PUMI = "40", "普米族"
    TAJIK = "41", "塔吉克族"
    NU = "42", "怒族"
    UZBEK = "43", "乌孜别克族"
    RUSSIAN = "44", "俄罗斯族"
    EWENKI = "45", "鄂温克族"
    DEANG = "46", "德昂族"
    BONAN = "47", "保安族"
    YUGUR = "48", "裕固族"
    GIN = "49", "京族"
    TATAR = "50", "塔塔尔族"
    DERUNG = "51", "独龙族"
    OROQEN = "52", "鄂伦春族"
    HEZHEN = "53", "赫哲族"
    MONBA = "54", "门巴族"
    LHOBA = "55", "珞巴族"
    JINO = "56", "基诺族"
    OTHER = "97", "其他"
    FOREIGN_ORIGIN = "98", "外国血统中国籍人士"


class EducationLevel(models.TextChoices):
    """学历 (annex 1 prints the short forms 博士, 硕士, 本科, 专科; files use both)."""

    DOCTORATE = "1", "博士研究生"
    MASTER = "2", "硕士研究生"
    BACHELOR = "3", "大学本科"
    JUNIOR_COLLEGE = "4", "大学专科"
    OTHER = "5", "其他"


EDUCATION_SHORT_LABELS = {"博士": "1", "硕士": "2", "本科": "3", "专科": "4"}


class Hardship(models.TextChoices):
    """困难状况 (several). Codes 1–4 are national; the letters are other provinces' extra categories
    (吉人社发〔2022〕21号: 脱贫家庭, 特殊困难家庭; 低收入家庭), reported nationally as 2 家庭经济困难."""

    ZERO_EMPLOYMENT_FAMILY = "1", "零就业家庭"
    LOW_INCOME_FAMILY_NATIONAL = "2", "家庭经济困难"
    DISABILITY = "3", "残疾"
    NONE = "4", "不属于困难情况"
    POVERTY_ALLEVIATED = "T", "脱贫家庭"
    LOW_INCOME = "L", "低收入家庭"
    SPECIAL_HARDSHIP = "S", "特殊困难家庭"


# The national code each extra hardship category is reported under in the 汇总表.
HARDSHIP_NATIONAL_CODE = {"T": "2", "L": "2", "S": "2"}


class LocationIntention(models.TextChoices):
    """就业地意向 (one)."""

    ELSEWHERE = "1", "准备到外地就业"
    LOCAL = "2", "准备在本地就业"
    UNDECIDED = "3", "不确定"


class Intention(models.TextChoices):
    """就业意向 (several)."""

    CIVIL_SERVICE = "1", "准备考公务员"
    PUBLIC_INSTITUTION = "2", "准备考事业单位"
    ENTERPRISE = "3", "准备到企业就业"
    ENTREPRENEURSHIP = "4", "准备创业"
    GRASSROOTS_PROGRAMME = "5", "准备参加基层项目"
    MILITARY = "6", "准备应征入伍"
    FURTHER_STUDY = "7", "准备升学"
    STUDY_ABROAD = "8", "准备出国"
    NOT_SEEKING = "9", "自愿暂时不就业"
    OTHER = "A", "其他"


class ServiceNeed(models.TextChoices):
    """就业服务需求 (several; empty when 就业意向 is 9 自愿暂时不就业)."""

    POLICY_CONSULTATION = "1", "政策咨询"
    JOB_REFERRAL = "2", "职业介绍"
    CAREER_GUIDANCE = "3", "职业指导"
    INTERNSHIP = "4", "就业见习"
    VOCATIONAL_TRAINING = "5", "职业培训"
    SKILL_CERTIFICATION = "6", "职业技能鉴定"
    ENTREPRENEURSHIP_TRAINING = "7", "创业培训"
    ENTREPRENEURSHIP_GUIDANCE = "8", "创业指导"
    PUBLIC_WELFARE_POST = "9", "公益性岗位"
    OTHER = "A", "其他"


class Destination(models.TextChoices):
    """就业去向 (one; from follow-up visits)."""

    PARTY_GOVERNMENT = "1", "党政机关"
    PUBLIC_INSTITUTION = "2", "事业单位"
    STATE_ENTERPRISE = "3", "国有企业"
    NON_STATE_ENTERPRISE = "4", "非国有企业"
    SELF_EMPLOYED = "5", "自主创业"
    COMMUNITY_POST = "6", "社区岗位"
    GRASSROOTS_PROGRAMME = "7", "基层项目"
    RESEARCH_ASSISTANT = "8", "科研助理"
    FLEXIBLE = "9", "灵活就业"
    MILITARY = "10", "部队"
    INTERNSHIP = "11", "就业见习"
    TRAINING = "12", "职业培训"
    STUDY = "13", "升学出国"
    NOT_SEEKING = "14", "自愿暂时不就业"
    OTHER = "15", "其他"


# Destinations that are employment (1–10): the record becomes 已就业.
DESTINATIONS_EMPLOYED = frozenset({"1", "2", "3", "4", "5", "6", "7", "8", "9", "10"})
# Destinations that end the search for work (去向落实). 13 升学出国 settles the record but is not employment: it
# has a state of its own (升学出国) and is never counted as 已就业.
DESTINATIONS_SETTLED = DESTINATIONS_EMPLOYED | {"13"}


class SourceChannel(models.TextChoices):
    """Where a record came from (several per graduate; each with its provenance in GraduateSource)."""

    UNIVERSITY = "university", "院校名单"
    EDUCATION = "education", "教育厅移交"
    MOHRSS = "mohrss", "人社部省外院校生源名单"
    SELF = "self", "本人登记"
    WALK_IN = "walk_in", "求职登记（窗口）"
    REPORT_IN = "report_in", "报到"
    ARCHIVE = "archive", "档案托管"


class SchoolStatus(models.TextChoices):
    """就业状态 at leaving school, as the university or the Education Dept reports it."""

    SIGNED = "signed", "签约"
    UNEMPLOYED = "unemployed", "未就业"


class RosterSource(models.TextChoices):
    """Who loads a roster (`import_roster --source`) and the source channel its records get."""

    UNIVERSITY = "university", "院校名单"
    EDUCATION = "education", "教育厅移交名单"
    MOHRSS = "mohrss", "人社部省外院校生源名单"
    OFFICE = "office", "经办机构名单（求职登记/报到）"


ROSTER_CHANNEL = {
    "university": "university",
    "education": "education",
    "mohrss": "mohrss",
    "office": "walk_in",
}


class Category(models.TextChoices):
    FRESH = "fresh", "应届毕业生"
    PREVIOUS = "previous", "往届毕业生"
    UNEMPLOYED_YOUTH = "youth", "登记失业青年（35岁以下）"


class State(models.TextChoices):
    """Where the office stands with the graduate (seed 000 / 002)."""

    WAITING = "waiting", "待联系"
    VERIFIED = "verified", "已核实"
    UNREACHABLE = "unreachable", "无法联系"
    EMPLOYED = "employed", "已就业"
    NOT_SEEKING = "not_seeking", "暂不就业"
    STUDYING = "studying", "升学出国"
    TRANSFERRED = "transferred", "已转出"


# Every state move the registry makes, by hand or by another app's action (graduates.actions.move_states checks
# each one against this table). 已转出 is entered only when the graduate leaves the province (a handover
# transfer) and never left; 无法联系 → 待联系 happens when new contact details arrive (the Education side's answers).
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    State.WAITING: frozenset(
        {
            State.VERIFIED,
            State.UNREACHABLE,
            State.EMPLOYED,
            State.NOT_SEEKING,
            State.STUDYING,
            State.TRANSFERRED,
        }
    ),
    State.UNREACHABLE: frozenset(
        {State.WAITING, State.VERIFIED, State.EMPLOYED, State.NOT_SEEKING, State.STUDYING, State.TRANSFERRED}
    ),
    State.VERIFIED: frozenset(
        {State.UNREACHABLE, State.EMPLOYED, State.NOT_SEEKING, State.STUDYING, State.TRANSFERRED}
    ),
    State.NOT_SEEKING: frozenset(
        {State.VERIFIED, State.EMPLOYED, State.UNREACHABLE, State.STUDYING, State.TRANSFERRED}
    ),
    State.EMPLOYED: frozenset({State.VERIFIED, State.NOT_SEEKING, State.STUDYING, State.TRANSFERRED}),
    State.STUDYING: frozenset({State.VERIFIED, State.EMPLOYED, State.NOT_SEEKING, State.TRANSFERRED}),
    State.TRANSFERRED: frozenset(),
}

# Moves only another action makes, never a clerk's state button: leaving the province (a transfer) and going back
# to 待联系 on new contact details.
SYSTEM_ONLY_TRANSITIONS: frozenset[tuple[str, str]] = frozenset(
    {(s, State.TRANSFERRED) for s in State if s != State.TRANSFERRED} | {(State.UNREACHABLE, State.WAITING)}
)

# The transitions staff may make by hand on the record page.
MANUAL_TRANSITIONS: dict[str, frozenset[str]] = {
    state: frozenset(t for t in targets if (state, t) not in SYSTEM_ONLY_TRANSITIONS)
    for state, targets in ALLOWED_TRANSITIONS.items()
}

# States in which the search for work is over (去向落实 or left the province): no contact work is due.
STATES_SETTLED = frozenset({State.EMPLOYED, State.STUDYING, State.TRANSFERRED})


class VisitMethod(models.TextChoices):
    PHONE = "phone", "电话"
    HOME = "home", "入户走访"
    ONLINE = "online", "网络/微信"
    OFFICE = "office", "来访（窗口）"


class VisitOutcome(models.TextChoices):
    REACHED = "reached", "已联系上"
    NOT_REACHED = "not_reached", "未联系上"


def join_codes(codes: list[str] | tuple[str, ...], choices: type[models.TextChoices]) -> str:
    """Concatenate codes in the list's official order, as the 汇总表 writes them ("13", "123456789A")."""
    order = {value: i for i, value in enumerate(choices.values)}
    return "".join(sorted(set(codes), key=lambda c: order.get(c, len(order))))


def labels(codes: list[str] | tuple[str, ...], choices: type[models.TextChoices]) -> str:
    lookup = dict(choices.choices)
    order = {value: i for i, value in enumerate(choices.values)}
    return "、".join(lookup.get(c, c) for c in sorted(set(codes), key=lambda c: order.get(c, len(order))))
