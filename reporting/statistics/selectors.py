"""Monthly statistics (人社厅发〔2012〕69号 §一(六)): a cohort's registered graduates in a scope by education level,
major, destination, service needs, follow-up results, hardship, services given, plan compliance and month.

Every breakdown is one set-based aggregate over the scope's graduates (arrays unnested in SQL), never a loop per
graduate. A scope is an employment office's region subtree (province → prefecture → county) or, for the
Education Dept, the province's universities (or one of them).
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection
from django.db.models import TextChoices

from core.models import Office, OfficeKind, Role, User, region_prefix
from core.scope import scope_for
from graduates.codes import (
    Destination,
    EducationLevel,
    Hardship,
    ServiceNeed,
    State,
    VisitMethod,
    VisitOutcome,
)
from services.codes import HARDSHIP_CODES, PlanState, ServiceType
from services.plans import PlanScope, active_standard, compliance, compliance_from_snapshot, snapshot_usable

from .disciplines import DISCIPLINES, UNSORTED, discipline_of

FIRST_COHORT = 2000
LAST_COHORT = 2100
TOP_MAJORS = 15
OTHER = "其他"
NONE_LABEL = "未填写"
OFFICE_ROLES = (Role.PROVINCE_ADMIN, Role.PREFECTURE_STAFF, Role.COUNTY_STAFF)


class OutOfScope(Exception):
    """The asked office is not one the user may see (the view answers 404, never telling whether it exists)."""


def default_cohort(today: datetime.date) -> int:
    """The cohort whose reporting year (August N – June N+1) is running or has just ended: from July, this year's."""
    return today.year if today.month >= 7 else today.year - 1


def may_see_statistics(user: User) -> bool:
    return user.is_authenticated and (user.is_superuser or user.role in (*OFFICE_ROLES, Role.EDUCATION_STAFF))


# --- Scope -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StatScope:
    """Whose graduates the figures count: those of OFFICE_IDS (an office's subtree) or of UNIVERSITY_IDS."""

    name: str
    level: str  # province | prefecture | county | universities | university
    office: Office | None = None
    office_ids: tuple[int, ...] | None = None
    university_ids: tuple[int, ...] | None = None
    home: Office | None = None  # the user's own level: no "up" link above it

    @property
    def by_university(self) -> bool:
        return self.university_ids is not None

    def where(self, params: dict) -> str:
        """The SQL condition on graduates_graduate AS g, with its values put in PARAMS."""
        if self.university_ids is not None:
            params["scope_ids"] = list(self.university_ids)
            return "g.university_id = ANY(%(scope_ids)s)"
        params["scope_ids"] = list(self.office_ids or ())
        return "g.responsible_office_id = ANY(%(scope_ids)s)"


LEVEL_OF_KIND = {
    OfficeKind.BUREAU: "province",
    OfficeKind.PREFECTURE: "prefecture",
    OfficeKind.COUNTY: "county",
}


def _office_subtree(office: Office) -> tuple[int, ...]:
    ids = (
        Office.objects.employment_offices()
        .filter(region__code__startswith=region_prefix(office.region_id))
        .values_list("id", flat=True)
    )
    return tuple(sorted(ids))


def statistics_scope(user: User, office_id: int | None = None) -> StatScope:
    """The scope USER asked for: their own (bureau: the province; prefecture and county offices: their region;
    Education Dept: the province's universities), or with OFFICE_ID an office (a university for the Education
    Dept) inside it. Raises OutOfScope for anything else."""
    scope = scope_for(user)
    if user.role == Role.EDUCATION_STAFF and scope.university_ids is not None and user.office is not None:
        universities = tuple(sorted(scope.university_ids))
        if office_id is None:
            return StatScope(name=f"{user.office.name}（全省院校）", level="universities", university_ids=universities,
                             home=user.office)  # fmt: skip
        if office_id not in scope.university_ids:
            raise OutOfScope
        university = Office.objects.get(pk=office_id)
        return StatScope(name=university.name, level="university", office=university, university_ids=(office_id,),
                         home=user.office)  # fmt: skip
    home: Office | None
    if user.role in OFFICE_ROLES:
        home = user.office
    elif user.is_superuser and user.office is None:
        home = Office.objects.filter(kind=OfficeKind.BUREAU).order_by("id").first()
    else:
        home = None
    if home is None:
        raise OutOfScope
    office = home
    if office_id is not None and office_id != home.pk:
        asked = Office.objects.employment_offices().filter(pk=office_id).first()
        if asked is None or not (scope.covers_office(asked.pk) or user.is_superuser):
            raise OutOfScope
        office = asked
    return StatScope(name=office.name, level=LEVEL_OF_KIND[OfficeKind(office.kind)], office=office,
                     office_ids=_office_subtree(office), home=home)  # fmt: skip


def breadcrumbs(scope: StatScope) -> list[Office]:
    """The offices from the user's own level down to the scope's office, for the drill-down's way back up."""
    if scope.office is None or scope.home is None or scope.office.pk == scope.home.pk:
        return []
    chain = [scope.office]
    current: Office | None = scope.office
    while (
        current is not None
        and current.parent_id is not None
        and current.pk != scope.home.pk
        and len(chain) < 5
    ):
        current = current.parent
        if current is not None:
            chain.append(current)
    if chain[-1].pk != scope.home.pk:
        chain.append(scope.home)
    return list(reversed(chain))


# --- Breakdowns --------------------------------------------------------------------------------------------------


@dataclass
class Breakdown:
    """One chart and its table: ROWS of (label, one number per column)."""

    key: str
    title: str
    label_header: str
    columns: list[str]
    # None: no figure yet (a month still to come), shown as —
    rows: Sequence[tuple[str, Sequence[int | None]]]
    chart: str = "bar"  # bar | hbar | pie | line | stack
    note: str = ""
    additive: bool = True  # False for multi-valued codes: a graduate counts in several rows
    base: int | None = None  # graduates the shares are of (multi-valued codes)
    links: dict[str, int] = field(default_factory=dict)  # row label → office id to drill down to
    charted: list[int] | None = None  # the columns the chart draws (None: all)

    @property
    def totals(self) -> list[int]:
        return [
            sum(v for _label, values in self.rows if (v := values[i]) is not None)
            for i in range(len(self.columns))
        ]

    @property
    def table(self) -> list[dict]:
        """Rows for the template: label, values, share of the first column (per cent, one decimal)."""
        base = self.base if self.base is not None else (self.totals[0] if self.columns else 0)
        return [
            {
                "label": label,
                "values": values,
                "share": round(100 * values[0] / base, 1) if base and values[0] is not None else None,
                "office_id": self.links.get(label),
            }
            for label, values in self.rows
        ]

    def chart_data(self) -> dict:
        return {
            "type": self.chart,
            "title": self.title,
            "categories": [label for label, _values in self.rows],
            "series": [
                {"name": column, "column": i, "data": [values[i] for _label, values in self.rows]}
                for i, column in enumerate(self.columns)
                if self.charted is None or i in self.charted
            ],
        }


def _fetch(sql: str, params: dict) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _graduates_where(scope: StatScope, cohort: int, params: dict) -> str:
    params["cohort"] = cohort
    return f"g.cohort = %(cohort)s AND {scope.where(params)}"


def _by_code(
    rows: list[tuple], choices: type[TextChoices], *, blank: str | None = None
) -> list[tuple[str, list[int]]]:
    """(code, count) rows as (label, [count]) in the list's order, every code shown (zeros too); unknown codes and
    the empty value (as BLANK, when given) last."""
    counts = dict(rows)
    result = [(str(label), [counts.pop(value, 0)]) for value, label in choices.choices]
    empty = counts.pop("", 0) + counts.pop(None, 0)
    result += [(f"代码 {code}", [count]) for code, count in sorted(counts.items())]
    if blank is not None:
        result.append((blank, [empty]))
    return result


def education_breakdown(scope: StatScope, cohort: int) -> Breakdown:
    params: dict = {}
    where = _graduates_where(scope, cohort, params)
    rows = _fetch(
        f"SELECT g.education, count(*) FROM graduates_graduate g WHERE {where} GROUP BY 1",  # noqa: S608 - fixed SQL
        params,
    )
    return Breakdown("education", "学历状况", "学历", ["人数"], _by_code(rows, EducationLevel), chart="pie")


def major_breakdowns(scope: StatScope, cohort: int) -> tuple[Breakdown, Breakdown]:
    """By major (the TOP_MAJORS largest, then 其他) and by 学科门类, from one GROUP BY major."""
    params: dict = {}
    where = _graduates_where(scope, cohort, params)
    rows = _fetch(
        f"SELECT g.major, count(*) FROM graduates_graduate g WHERE {where} "  # noqa: S608 - fixed SQL
        "GROUP BY 1 ORDER BY 2 DESC, 1",
        params,
    )
    top = [(major or NONE_LABEL, [count]) for major, count in rows[:TOP_MAJORS]]
    rest = sum(count for _major, count in rows[TOP_MAJORS:])
    if rest:
        top.append((f"{OTHER}（{len(rows) - TOP_MAJORS} 个专业）", [rest]))
    by_major = Breakdown(
        "major", "专业结构（按专业）", "专业", ["人数"], top, chart="hbar",
        note=f"人数最多的 {TOP_MAJORS} 个专业，其余合为“{OTHER}”；共 {len(rows)} 个专业名称。",
    )  # fmt: skip
    disciplines: Counter[str] = Counter()
    for major, count in rows:
        disciplines[discipline_of(major)] += count
    order = [*DISCIPLINES, UNSORTED]
    by_discipline = Breakdown(
        "discipline", "专业结构（按学科门类）", "学科门类", ["人数"],
        [(name, [disciplines[name]]) for name in order if disciplines[name] or name in DISCIPLINES[:13]],
        chart="bar",
        note="登记表的“所学专业”是专业名称而非代码：按国家专业目录中的名称归入学科门类，专科专业归入最接近的门类；"
        "无法识别的名称计入“未归类”。",
    )  # fmt: skip
    return by_major, by_discipline


def destination_breakdown(scope: StatScope, cohort: int) -> Breakdown:
    params: dict = {}
    where = _graduates_where(scope, cohort, params)
    rows = _fetch(
        f"SELECT g.destination, count(*) FROM graduates_graduate g WHERE {where} GROUP BY 1",  # noqa: S608
        params,
    )
    return Breakdown(
        "destination", "就业去向（回访结果）", "就业去向", ["人数"],
        _by_code(rows, Destination, blank="尚无回访去向"), chart="hbar",
        note="每人按最近一次回访的就业去向计；1–10 为就业，13 升学出国不计为就业，11、12 为服务中。",
    )  # fmt: skip


def _multi_valued(scope: StatScope, cohort: int, column: str) -> tuple[list[tuple], int]:
    """(code, graduates) for each code of the array COLUMN ('' for an empty array), and the graduates counted."""
    params: dict = {}
    where = _graduates_where(scope, cohort, params)
    rows = _fetch(
        f"""
        SELECT GROUPING(c.code), c.code, count(*), count(*) FILTER (WHERE c.n = 1)
        FROM graduates_graduate g
        CROSS JOIN LATERAL unnest(CASE WHEN cardinality(g.{column}) = 0 THEN ARRAY['']::varchar[]
                                       ELSE g.{column} END) WITH ORDINALITY AS c(code, n)
        WHERE {where} GROUP BY GROUPING SETS ((c.code), ())
        """,  # noqa: S608 - COLUMN is one of two fixed names
        params,
    )
    counts: dict[str, int] = {}
    graduates = 0
    for total_row, code, count, firsts in rows:
        if total_row:
            graduates = firsts
        else:
            counts[code] = count
    return list(counts.items()), graduates


def needs_breakdown(scope: StatScope, cohort: int) -> Breakdown:
    rows, graduates = _multi_valued(scope, cohort, "service_needs")
    return Breakdown(
        "needs", "就业服务需求", "服务需求", ["人数"], _by_code(rows, ServiceNeed, blank="无需求/未填写"),
        chart="hbar", additive=False, base=graduates,
        note=f"多选：一人可计入多项，占比以登记人数 {graduates} 人为基数；就业意向为“自愿暂时不就业”的不填需求。",
    )  # fmt: skip


def hardship_breakdown(scope: StatScope, cohort: int) -> Breakdown:
    rows, graduates = _multi_valued(scope, cohort, "hardship")
    return Breakdown(
        "hardship", "困难状况", "困难状况", ["人数"], _by_code(rows, Hardship, blank=NONE_LABEL),
        chart="hbar", additive=False, base=graduates,
        note=f"多选：一人可计入多项，占比以登记人数 {graduates} 人为基数。",
    )  # fmt: skip


def visits_breakdown(scope: StatScope, cohort: int) -> Breakdown:
    """Follow-up visits of the cohort's graduates by method and contact outcome."""
    params: dict = {}
    where = _graduates_where(scope, cohort, params)
    rows = _fetch(
        f"""SELECT v.method, v.outcome, count(*) FROM graduates_followupvisit v
        JOIN graduates_graduate g ON g.id = v.graduate_id WHERE {where} GROUP BY 1, 2""",  # noqa: S608
        params,
    )
    counts = {(method, outcome): count for method, outcome, count in rows}
    outcomes = VisitOutcome.values
    table = [
        (str(label), [counts.get((method, outcome), 0) for outcome in outcomes])
        for method, label in VisitMethod.choices
    ]
    return Breakdown(
        "visits", "回访结果", "回访方式", [str(label) for label in VisitOutcome.labels], table, chart="stack",
        note="该届毕业生的全部回访记录（次），按回访方式和联系结果。",
    )  # fmt: skip


def services_breakdown(scope: StatScope, cohort: int) -> Breakdown:
    params: dict = {}
    where = _graduates_where(scope, cohort, params)
    rows = _fetch(
        f"""SELECT e.service_type, count(*), count(DISTINCT e.graduate_id) FROM services_serviceentry e
        JOIN graduates_graduate g ON g.id = e.graduate_id
        WHERE e.voided_at IS NULL AND {where} GROUP BY 1""",  # noqa: S608
        params,
    )
    counts = {stype: (entries, people) for stype, entries, people in rows}
    table = [(str(label), list(counts.get(value, (0, 0)))) for value, label in ServiceType.choices]
    return Breakdown(
        "services", "已提供的服务", "服务类型", ["服务次数", "服务人数"], table, chart="hbar",
        note="该届毕业生获得的服务（不含作废记录）；“服务人数”为获得该类服务的人数，合计中一人可能计入多类。",
    )  # fmt: skip


def compliance_breakdown(scope: StatScope, as_of: datetime.date, *, live: bool) -> Breakdown | None:
    """Obligations of the active service standard per rule and state (all cohorts: a plan is not per cohort),
    read from the kept obligations, or with LIVE computed now when none are usable (slow at province scale: the
    page asks for it only when this breakdown alone is shown). None for the Education Dept (plans belong to
    employment offices), without an active standard, or without kept obligations and not LIVE."""
    standard = active_standard()
    if standard is None or scope.office_ids is None:
        return None
    plan_scope = PlanScope(office_ids=list(scope.office_ids))
    snapshot = snapshot_usable(standard, as_of)
    if snapshot is None and not live:
        return None
    read = compliance_from_snapshot if snapshot is not None else compliance
    found = read(standard=standard, as_of=as_of, scope=plan_scope, group_by="office")
    by_rule = {r.rule_id: r.counts for r in found if r.key is None and r.rule_id is not None}
    states = PlanState.values
    table = [
        (f"{i}. {rule}", [by_rule.get(rule.pk, {}).get(state, 0) for state in states])
        for i, rule in enumerate(standard.rules.order_by("position", "id"), start=1)
    ]
    when = f"（按 {snapshot.as_of:%Y-%m-%d} 的计算结果）" if snapshot is not None else ""
    return Breakdown(
        "compliance", "服务计划完成情况", "服务标准条款", [str(label) for label in PlanState.labels], table,
        chart="stack",
        note=f"服务标准：{standard}；各条款的服务义务（条）{when}。服务计划不分届别，此表含范围内所有届别。",
    )  # fmt: skip


def reporting_months(cohort: int) -> list[datetime.date]:
    """The reporting year's months, August COHORT – June COHORT+1 (人社厅发〔2012〕69号: 按月报送)."""
    return [datetime.date(cohort + (m < 8), m, 1) for m in (*range(8, 13), *range(1, 7))]


def monthly_breakdown(scope: StatScope, cohort: int, as_of: datetime.date) -> Breakdown:
    """Registrations, follow-up visits and services per month of the reporting year. Months after AS_OF's have no
    figures yet: None (a gap in the line, — in the table), never a 0 that reads as data.

    Three statements, not one UNION ALL: under a UNION the planner runs each branch in one process of a parallel
    append, so the services' join (millions of entries at province scale) got no parallel workers of its own
    (bench/statistics_page.py: 2.1 s → see bench/README.md)."""
    params: dict = {"tz": settings.TIME_ZONE}
    where = _graduates_where(scope, cohort, params)
    rows = [
        ("r", month, count)
        for month, count in _fetch(
            f"""SELECT date_trunc('month', g.created_at AT TIME ZONE %(tz)s)::date, count(*)
            FROM graduates_graduate g WHERE {where} GROUP BY 1""",  # noqa: S608 - fixed SQL, values as parameters
            params,
        )
    ]
    rows += [
        ("v", month, count)
        for month, count in _fetch(
            f"""SELECT date_trunc('month', v.visited_on)::date, count(*) FROM graduates_followupvisit v
            JOIN graduates_graduate g ON g.id = v.graduate_id WHERE {where} GROUP BY 1""",  # noqa: S608
            params,
        )
    ]
    rows += [
        ("s", month, count)
        for month, count in _fetch(
            f"""SELECT date_trunc('month', e.date)::date, count(*) FROM services_serviceentry e
            JOIN graduates_graduate g ON g.id = e.graduate_id
            WHERE e.voided_at IS NULL AND {where} GROUP BY 1""",  # noqa: S608
            params,
        )
    ]
    months = reporting_months(cohort)
    first, last = months[0], months[-1]
    kinds = ("r", "v", "s")
    cells: dict[tuple[str, object], int] = Counter()
    for kind, month, count in rows:
        bucket = "before" if month < first else "after" if month > last else month
        cells[(kind, bucket)] += count
    table: list[tuple[str, list[int | None]]] = []
    if any(cells[(k, "before")] for k in kinds):
        table.append((f"{first.year}年8月前", [cells[(k, "before")] for k in kinds]))
    current = as_of.replace(day=1)
    table += [
        (f"{m.year}年{m.month}月", [cells[(k, m)] if m <= current else None for k in kinds]) for m in months
    ]
    if any(cells[(k, "after")] for k in kinds):
        table.append((f"{last.year}年7月起", [cells[(k, "after")] for k in kinds]))
    return Breakdown(
        "monthly", "逐月情况", "月份", ["新登记（人）", "回访（次）", "服务（次）"], table, chart="line",
        note=f"报送年度 {cohort}年8月至{cohort + 1}年6月；此前（院校名单、教育厅移交）与此后的合为一行；"
        f"{as_of.year}年{as_of.month}月以后的月份尚未到来，显示为“—”。",
    )  # fmt: skip


# --- The scope's offices ------------------------------------------------------------------------------------------

OFFICE_COLUMNS = [
    ("登记人数", "TRUE"),
    ("待联系", f"g.state = '{State.WAITING}'"),
    ("已核实", f"g.state = '{State.VERIFIED}'"),
    ("无法联系", f"g.state = '{State.UNREACHABLE}'"),
    ("已就业", f"g.state = '{State.EMPLOYED}'"),
    ("暂不就业", f"g.state = '{State.NOT_SEEKING}'"),
    ("升学出国", f"g.state = '{State.STUDYING}'"),
    ("已转出", f"g.state = '{State.TRANSFERRED}'"),
    ("困难人员", "g.hardship && %(hardship)s::varchar[]"),
]


def offices_breakdown(scope: StatScope, cohort: int) -> Breakdown:
    """The scope's figures per child office (bureau: per prefecture; prefecture: per county; Education Dept: per
    university): one GROUP BY the responsible office (or university), folded into the children by region code."""
    params: dict = {"hardship": HARDSHIP_CODES}
    where = _graduates_where(scope, cohort, params)
    key = "g.university_id" if scope.by_university else "g.responsible_office_id"
    counts = ", ".join(f"count(*) FILTER (WHERE {condition})" for _label, condition in OFFICE_COLUMNS)
    rows = _fetch(
        f"SELECT {key}, {counts} FROM graduates_graduate g WHERE {where} GROUP BY 1",  # noqa: S608 - fixed SQL
        params,
    )
    ids = list(scope.university_ids or ()) if scope.by_university else list(scope.office_ids or ())
    offices = {o.pk: o for o in Office.objects.filter(pk__in=ids).select_related("region")}
    own = scope.office
    children: dict[int, Office] = {}
    child_of: dict[int, int] = {}
    for office in offices.values():
        if scope.by_university or own is None:
            child = office
        elif own.kind == OfficeKind.BUREAU and office.kind != OfficeKind.BUREAU:
            child = next(
                (o for o in offices.values() if o.kind == OfficeKind.PREFECTURE
                 and o.region_id == office.region_id[:4] + "00"),
                office,
            )  # fmt: skip
        else:
            child = office
        child_of[office.pk] = child.pk
        children[child.pk] = child
    sums: dict[int, list[int]] = {pk: [0] * len(OFFICE_COLUMNS) for pk in children}
    for office_id, *values in rows:
        target = sums.setdefault(child_of.get(office_id, office_id), [0] * len(OFFICE_COLUMNS))
        for i, value in enumerate(values):
            target[i] += value

    def label(pk: int) -> str:
        office = children.get(pk)
        if office is None:
            return f"机构 {pk}"
        if own is not None and pk == own.pk and not scope.by_university and len(children) > 1:
            return f"{office.name}（本级）"
        return office.name

    order = sorted(sums, key=lambda pk: (own is not None and pk != own.pk, children[pk].region_id if pk in children
                                         else "", label(pk)))  # fmt: skip
    drillable = scope.level in ("province", "prefecture", "universities")
    links = {label(pk): pk for pk in order if drillable and (own is None or pk != own.pk)}
    header = {"province": "市（州）", "prefecture": "县（市、区）", "county": "机构"}.get(scope.level, "院校")
    return Breakdown(
        "offices", "各机构情况", header, [name for name, _condition in OFFICE_COLUMNS],
        [(label(pk), sums[pk]) for pk in order], chart="stack", links=links,
        charted=list(range(1, len(OFFICE_COLUMNS) - 1)),  # the states: they add up to 登记人数
        note=f"按{'毕业院校' if scope.by_university else '责任机构'}统计；“困难人员”为有零就业家庭、家庭经济困难、残疾或"
        "其他困难类别之一者。",
    )  # fmt: skip


BREAKDOWNS = {
    "offices": "各机构情况",
    "education": "学历状况",
    "major": "专业结构（按专业）",
    "discipline": "专业结构（按学科门类）",
    "destination": "就业去向",
    "needs": "就业服务需求",
    "visits": "回访结果",
    "hardship": "困难状况",
    "services": "已提供的服务",
    "compliance": "服务计划完成情况",
    "monthly": "逐月情况",
}


def statistics(
    *, scope: StatScope, cohort: int, as_of: datetime.date, only: str | None = None, live: bool = False
) -> list[Breakdown]:
    """The breakdowns of SCOPE's COHORT (ONLY: just that one), in the page's order. LIVE: plan compliance computed
    now when no kept obligations are usable (not at province scope: minutes at a million graduates)."""

    def wanted(*keys: str) -> bool:
        return only is None or only in keys

    found: list[Breakdown] = []
    if wanted("offices"):
        found.append(offices_breakdown(scope, cohort))
    if wanted("education"):
        found.append(education_breakdown(scope, cohort))
    if wanted("major", "discipline"):
        found += [b for b in major_breakdowns(scope, cohort) if wanted(b.key)]
    if wanted("destination"):
        found.append(destination_breakdown(scope, cohort))
    if wanted("needs"):
        found.append(needs_breakdown(scope, cohort))
    if wanted("visits"):
        found.append(visits_breakdown(scope, cohort))
    if wanted("hardship"):
        found.append(hardship_breakdown(scope, cohort))
    if wanted("services"):
        found.append(services_breakdown(scope, cohort))
    if wanted("compliance"):
        plan = compliance_breakdown(
            scope, as_of, live=live and only == "compliance" and scope.level != "province"
        )
        if plan is not None:
            found.append(plan)
    if wanted("monthly"):
        found.append(monthly_breakdown(scope, cohort, as_of))
    return found
