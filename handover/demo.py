"""The handover's part of the living demo, after the registry's (graduates/demo.py): the lists received as batches
are dispatched, signed for, passed down, worked one by one, transferred, reported in — every step through the
real actions (handover/*/actions.py, graduates/actions.py), which check permissions and write the history and
the audit, each on its own day (core.demo.demo_clock), so dates, due dates and days since dispatch read true.

- 2025 cohort (a year of work): dispatched in September and October; every prefecture signed for its share; 西宁
  passed its graduates down to its counties, which signed; the bureau assigned part of its 待分配 queue by hand;
  report-ins verified part of them; contacts with every method and outcome; the offices marked part of the rest
  无法联系 in bulk; follow-up visits with destinations (every 就业去向, 13 升学出国 and 14 included); transfers
  accepted, rejected, withdrawn, out of the province.
- 2026 cohort (this autumn): the Education Dept confirmed the universities' rosters as its hand-over; its lists
  dispatched in September and signed for (not yet by 海东, 果洛, 玉树; 西宁 passed them down, 城东区 has not signed);
  MOHRSS's October list dispatched, not signed for yet; graduates assigned to the demo clerks; report-in lists at
  西宁 and 城东区; the signed ones partly contacted; a transfer request waiting for 城东区 and one for 海东; the
  answered unreachable list loaded back.

Offices without a demo login work through a generated clerk who cannot log in (core.demo.office_clerk). Per
graduate, the contact attempts and visits are a loop over the real actions (a few hundred at the default size);
dispatch, signing, passing down, the queue, report-in, bulk 无法联系 and assignment are set-based. Idempotent:
skipped once a batch has been dispatched.
"""

from __future__ import annotations

import datetime
import io
import random
from collections import defaultdict

from django.db.models import QuerySet
from django.utils import timezone
from openpyxl import Workbook

from core.demo import demo_clock, office_clerk
from core.models import Office, OfficeKind, Region, User
from graduates.actions import assign_staff, mark_unreachable, record_visit
from graduates.codes import DESTINATIONS_EMPLOYED, Destination, State, VisitMethod, VisitOutcome
from graduates.demo_data import roster_people
from graduates.models import Graduate

from .batches.actions import (
    acknowledge,
    assign_from_queue,
    confirm_university_rosters,
    dispatch_batch,
    pass_down_to_counties,
    province_bureau,
    suggested_office,
)
from .batches.selectors import unassigned_queue
from .contact.actions import record_contact, record_report_ins
from .contact.unreachable import HEADER as UNREACHABLE_HEADER
from .contact.unreachable import load_answers
from .models import BatchSource, ContactMethod, ContactOutcome, HandoverBatch, ReportIn
from .transfers.actions import accept_transfer, cancel_transfer, reject_transfer, request_transfer

SEED = 2026
# Share of a cohort's received graduates the offices have contacted so far.
CONTACTED_SHARE = {2025: 0.22, 2026: 0.08}
# At most this many graduates per cohort are contacted (or visited) one by one: a big demo stays quick to load.
MAX_ONE_BY_ONE = 400
OUTCOME_WEIGHTS = {
    2025: {
        "verified": 34,
        "employed": 26,
        "unreachable": 10,
        "no_intention": 8,
        "elsewhere": 6,
        "no_answer": 8,
    },
    2026: {
        "verified": 45,
        "employed": 12,
        "unreachable": 10,
        "no_intention": 6,
        "elsewhere": 6,
        "no_answer": 15,
    },
}
METHOD_WEIGHTS = {
    "phone": 58, "online": 12, "home": 5, "report_in": 5, "archive": 4, "data_match": 10, "window": 6,
}  # fmt: skip
EMPLOYED_DESTINATIONS = {"4": 35, "9": 20, "2": 12, "3": 8, "1": 5, "7": 6, "5": 4, "6": 4, "8": 2, "10": 2}
VERIFIED_DESTINATIONS = {"": 55, "13": 12, "11": 12, "12": 10, "15": 5, "14": 6}
FOLLOW_UP_DESTINATIONS = {"employed": 72, "13": 8, "14": 6, "11": 6, "12": 4, "15": 4}
EMPLOYERS = {
    "1": "{place}人民政府办公室", "2": "{place}第一中学", "3": "青海省交通控股集团有限公司",
    "4": "青海{company}商贸有限公司", "5": "个人工作室（电商）", "6": "{place}社区居委会",
    "7": "“三支一扶”计划（{place}）", "8": "青海大学科研助理岗位", "9": "平台外卖配送", "10": "中国人民解放军",
}  # fmt: skip
COMPANIES = ("昆仑", "三江源", "柴达木", "青湖", "高原", "雪域", "河湟", "祁连")
# What becomes of the transfer requests, in turn (a request also waits for each office that must show one).
TRANSFER_PLAN = ("accept", "reject", "left", "accept", "cancel", "accept", "reject", "accept")
OUT_OF_PROVINCE = ("620102", "610113", "510107", "640104")  # 兰州城关、西安雁塔、成都武侯、银川兴庆


def _pick(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


class _Demo:
    def __init__(self, size: int):
        self.size = size
        self.rng = random.Random(SEED)  # noqa: S311 - generated demo work, not secrets
        self.tz = timezone.get_default_timezone()
        self.end = timezone.now()
        self.users = {
            u.username: u for u in User.objects.filter(username__in=["sheng", "jiaoyu", "chengdong"])
        }
        self.bureau = province_bureau()
        self._clerks: dict[int, User] = {}
        self.counts: dict[str, int] = defaultdict(int)
        self.methods_used: set[str] = set()
        self.outcomes_used: set[str] = set()
        self.destinations_used: set[str] = set()
        self.transfer_kinds: set[str] = set()
        self.receivers = list(self.offices(OfficeKind.PREFECTURE).select_related("region"))

    def clerk(self, office_id: int) -> User:
        if office_id not in self._clerks:
            self._clerks[office_id] = office_clerk(Office.objects.select_related("region").get(pk=office_id))
        return self._clerks[office_id]

    def offices(self, kind: str) -> QuerySet[Office]:
        return Office.objects.employment_offices().active().filter(kind=kind).order_by("region_id")

    # --- batches -------------------------------------------------------------------------------------------

    def dispatch(self, day: datetime.date, cohort: int, *sources: str) -> None:
        batches = HandoverBatch.objects.filter(cohort=cohort, status=HandoverBatch.Status.RECEIVED)
        if sources:
            batches = batches.filter(source__in=sources)
        with demo_clock(day):
            for batch in batches.order_by("created_at", "pk"):
                result = dispatch_batch(batch=batch, acting_user=self.users["sheng"])
                self.counts["dispatched"] += result.dispatched

    def assign_queue(self, day: datetime.date, cohort: int, share: float) -> None:
        """The bureau gives part of its 待分配 queue to the office the ID number suggests, by hand."""
        waiting = list(
            unassigned_queue(self.users["sheng"]).filter(cohort=cohort).values_list("pk", "id_number")
        )
        suggested = [
            (pk, office) for pk, number in waiting if (office := suggested_office(number)) is not None
        ]
        by_office: dict[int, list[int]] = defaultdict(list)
        for pk, office in suggested[: round(len(suggested) * share)]:
            by_office[office.pk].append(pk)
        for office_id, ids in by_office.items():
            office = Office.objects.get(pk=office_id)
            with demo_clock(day):
                self.counts["assigned"] += assign_from_queue(
                    graduate_ids=ids, office=office, acting_user=self.users["sheng"]
                )

    def sign(self, offices, first_day: datetime.date) -> None:
        """Each office signs for its share within a few days of FIRST_DAY."""
        for i, office in enumerate(offices):
            with demo_clock(first_day + datetime.timedelta(days=i % 5), hour=9 + i % 8):
                self.counts["signed"] += acknowledge(office=office, acting_user=self.clerk(office.pk))

    def pass_down(self, office: Office, day: datetime.date) -> None:
        with demo_clock(day):
            pass_down_to_counties(office=office, acting_user=self.clerk(office.pk))

    def _moment(self, start: datetime.date, end: datetime.date) -> datetime.datetime:
        """A moment of office hours between START and END (local time)."""
        day = start + datetime.timedelta(days=self.rng.randint(0, max(0, (end - start).days)))
        seconds = self.rng.randint(int(8.5 * 3600), 17 * 3600)
        return datetime.datetime.combine(day, datetime.time(), self.tz) + datetime.timedelta(seconds=seconds)

    # --- contact work, one graduate at a time ----------------------------------------------------------------

    def _method(self) -> str:
        missing = [m for m in ContactMethod.values if m not in self.methods_used]
        method = missing[0] if missing else _pick(self.rng, METHOD_WEIGHTS)
        self.methods_used.add(method)
        return method

    def _outcome(self, cohort: int) -> str:
        missing = [o for o in ContactOutcome.values if o not in self.outcomes_used]
        outcome = missing[0] if missing else _pick(self.rng, OUTCOME_WEIGHTS[cohort])
        self.outcomes_used.add(outcome)
        return outcome

    def _destination(self, weights: dict[str, float], pool: set[str]) -> str:
        missing = sorted(pool - self.destinations_used - {""}, key=int)
        destination = missing[0] if missing else _pick(self.rng, weights)
        self.destinations_used.add(destination)
        return destination

    def _missing_destinations(self) -> list[str]:
        return sorted(set(Destination.values) - self.destinations_used, key=int)

    def _visit(
        self,
        graduate: Graduate,
        clerk: User,
        at: datetime.datetime,
        *,
        destination: str,
        reached: bool = True,
    ) -> None:
        """A follow-up visit a few weeks after the contact (never after the end of the period worked)."""
        place = graduate.origin_region.name if graduate.origin_region else "西宁市"
        employer = EMPLOYERS.get(destination, "").format(place=place, company=self.rng.choice(COMPANIES))
        at = min(at + datetime.timedelta(days=self.rng.randint(7, 45)), self.end)
        with demo_clock(at):
            record_visit(
                graduate=graduate,
                acting_user=clerk,
                visited_on=timezone.localdate(),
                method=self.rng.choice(VisitMethod.values),
                outcome=VisitOutcome.REACHED if reached else VisitOutcome.NOT_REACHED,
                destination=destination if reached else "",
                employer=employer if reached else "",
                note=_visit_note(destination)
                if reached
                else "电话无人接听，已短信告知服务内容，待再次联系。",
            )
        self.counts["visits"] += 1

    def contact(
        self, cohort: int, start: datetime.date, end: datetime.date
    ) -> list[tuple[Graduate, User, datetime.datetime]]:
        """Contact a share of the cohort's received graduates between START and END, in the order of the days
        drawn; returns those who live elsewhere (to transfer) with the moment they were reached."""
        received = list(
            Graduate.objects.filter(
                cohort=cohort, state=State.WAITING, handover_items__acknowledged_at__isnull=False
            )
            .exclude(responsible_office=self.bureau)
            .select_related("origin_region")
            .distinct()
            .order_by("id")
        )
        self.rng.shuffle(received)
        self.end = datetime.datetime.combine(end, datetime.time(17), self.tz)
        chosen = received[: min(int(len(received) * CONTACTED_SHARE[cohort]), MAX_ONE_BY_ONE)]
        moments = sorted(self._moment(start, end) for _ in chosen)
        elsewhere = []
        for graduate, at in zip(chosen, moments, strict=True):
            clerk = self.clerk(graduate.responsible_office_id)
            outcome = self._outcome(cohort)
            if outcome == "no_answer" or (outcome == "unreachable" and self.rng.random() < 0.5):
                with demo_clock(at - datetime.timedelta(days=self.rng.randint(2, 6))):
                    record_contact(graduate=graduate, method="phone", outcome="no_answer", acting_user=clerk,
                                   note="电话无人接听。")  # fmt: skip
                self.counts["contacts"] += 1
            with demo_clock(at):
                record_contact(
                    graduate=graduate,
                    method=self._method(),
                    outcome=outcome,
                    acting_user=clerk,
                    note=CONTACT_NOTES.get(outcome, ""),
                )
            self.counts["contacts"] += 1
            if outcome == "employed":
                destination = self._destination(EMPLOYED_DESTINATIONS, DESTINATIONS_EMPLOYED)
                self._visit(graduate, clerk, at, destination=destination)
            elif outcome == "verified" and (self.rng.random() < 0.5 or self._missing_destinations()):
                # Verified, then followed up: a job found since, further study, an internship, ...
                missing = self._missing_destinations()
                destination = missing[0] if missing else _pick(self.rng, VERIFIED_DESTINATIONS)
                self.destinations_used.add(destination)
                self._visit(graduate, clerk, at, destination=destination)
            elif outcome == "no_intention" and self.rng.random() < 0.5:
                self._visit(graduate, clerk, at, destination="14")
            elif outcome == "unreachable" and self.rng.random() < 0.3:
                self._visit(graduate, clerk, at, destination="", reached=False)
            elif outcome == "elsewhere":
                elsewhere.append((graduate, clerk, at))
        return elsewhere

    def follow_up(self, cohort: int, start: datetime.date, end: datetime.date, share: float) -> None:
        """Follow-up visits (回访) of verified graduates months later: most found work, some went on to study (13)
        or stopped looking for now (14); the record takes the visit's destination and its state follows."""
        verified = list(
            Graduate.objects.filter(cohort=cohort, state=State.VERIFIED)
            .exclude(responsible_office=self.bureau)
            .select_related("origin_region")
            .order_by("id")
        )
        chosen = self.rng.sample(verified, min(int(len(verified) * share), MAX_ONE_BY_ONE))
        self.end = datetime.datetime.combine(end, datetime.time(17), self.tz)
        for graduate, at in zip(chosen, sorted(self._moment(start, end) for _ in chosen), strict=True):
            destination = _pick(self.rng, FOLLOW_UP_DESTINATIONS)
            if destination == "employed":
                destination = _pick(self.rng, EMPLOYED_DESTINATIONS)
            self._visit(graduate, self.clerk(graduate.responsible_office_id), at, destination=destination)

    # --- transfers --------------------------------------------------------------------------------------------

    def transfer(
        self,
        elsewhere: list[tuple[Graduate, User, datetime.datetime]],
        *,
        pending_to: list[Office],
        complete: bool = False,
    ) -> None:
        """Graduates who live elsewhere: asked for, then accepted, rejected or withdrawn; some left the province.
        A request waits for each office in PENDING_TO (its counter). COMPLETE: every kind of outcome is there at
        the end, taking a verified graduate where too few were found elsewhere (a small demo)."""
        pending = list(pending_to)
        for i, (graduate, clerk, at) in enumerate(elsewhere):
            graduate.refresh_from_db()
            if graduate.state == State.TRANSFERRED or graduate.responsible_office_id == self.bureau.pk:
                continue
            kind = TRANSFER_PLAN[i % len(TRANSFER_PLAN)]
            target = None
            if pending and i % 4 == 1:
                kind, target = "pending", pending.pop(0)
            self._transfer(graduate, clerk, kind, target, at + datetime.timedelta(days=2))
        if not complete:
            return
        missing = list(dict.fromkeys(k for k in TRANSFER_PLAN if k not in self.transfer_kinds))
        for kind in missing + ["pending"] * len(pending):
            target = pending.pop(0) if kind == "pending" else None
            graduate = (
                Graduate.objects.filter(state=State.VERIFIED)
                .exclude(responsible_office=self.bureau)
                .exclude(responsible_office=target)
                .exclude(transfers__isnull=False)
                .order_by("-id")
                .first()
            )
            if graduate is not None:
                last = self.end.date()
                at = self._moment(last - datetime.timedelta(days=12), last - datetime.timedelta(days=5))
                self._transfer(graduate, self.clerk(graduate.responsible_office_id), kind, target, at)

    def _transfer(
        self, graduate: Graduate, clerk: User, kind: str, target: Office | None, at: datetime.datetime
    ) -> None:
        """Ask at AT; the receiving office decides a few days later (a pending request waits)."""
        if kind == "left":
            code = OUT_OF_PROVINCE[self.counts["left_province"] % len(OUT_OF_PROVINCE)]
            with demo_clock(at):
                request_transfer(graduate=graduate, to_region=Region.objects.get(code=code),
                                 reason="本人已在省外落户并长期居住。", acting_user=clerk)  # fmt: skip
            self.counts["left_province"] += 1
            self.transfer_kinds.add(kind)
            return
        if target is None:
            target = self.rng.choice([o for o in self.receivers if o.pk != graduate.responsible_office_id])
        with demo_clock(at):
            transfer = request_transfer(graduate=graduate, to_office=target,
                                        reason=f"本人现居{target.region.name}，申请由当地跟踪服务。", acting_user=clerk)  # fmt: skip
        self.transfer_kinds.add(kind)
        if kind == "pending":
            self.counts["pending"] += 1
            return
        receiver = self.clerk(target.pk)
        with demo_clock(min(at + datetime.timedelta(days=self.rng.randint(2, 9)), self.end)):
            if kind == "accept":
                accept_transfer(transfer=transfer, acting_user=receiver, note="已接收，安排专人联系。")
                self.counts["accepted"] += 1
            elif kind == "reject":
                reject_transfer(transfer=transfer, acting_user=receiver,
                                note="经核实本人户籍与居住地均不在本辖区，请转出机构再核实。")  # fmt: skip
                self.counts["rejected"] += 1
            else:
                cancel_transfer(transfer=transfer, acting_user=clerk)
                self.counts["cancelled"] += 1

    # --- report-in, the unreachable list's answers, assignment --------------------------------------------------

    def report_in(
        self, office: Office, day: datetime.date, *, cohort: int, matched: int, unknown: int
    ) -> None:
        clerk = self.clerk(office.pk)
        waiting = list(
            Graduate.objects.in_scope_of(clerk)
            .filter(cohort=cohort, state=State.WAITING)
            .exclude(responsible_office=self.bureau)
            .only("name", "id_number")
            .order_by("id")
        )
        waiting = self.rng.sample(waiting, min(matched, len(waiting)))
        strangers = roster_people(cohort=cohort, seed=SEED + office.pk, taken={g.id_number for g in waiting})
        people = [(g.name, g.id_number) for g in waiting]
        people += [(p.name, p.id_number) for p in (next(strangers) for _ in range(unknown))]
        entries = []
        for n, (name, number) in enumerate(people):
            kind = ReportIn.Kind.ARCHIVE if n % 4 == 3 else ReportIn.Kind.DESTINATION_RECORD
            entries.append(
                {
                    "name": name,
                    "id_number": number,
                    "kind": kind,
                    "transfer_no": f"ZD{cohort}{office.region_id}{n + 1:04d}"
                    if kind != ReportIn.Kind.ARCHIVE
                    else "",
                    "verify_no": f"HY{self.rng.randint(10**9, 10**10 - 1)}"
                    if kind != ReportIn.Kind.ARCHIVE
                    else "",
                    "reported_on": day - datetime.timedelta(days=self.rng.randint(0, 30)),
                }
            )
        with demo_clock(day):
            result = record_report_ins(entries=entries, cohort=cohort, acting_user=clerk)
        self.counts["report_in"] += result.matched + result.unknown

    def unreachable_answers(self, office: Office, day: datetime.date, count: int) -> None:
        """The Education side answered part of the unreachable list with new phone numbers: loaded back."""
        clerk = self.clerk(office.pk)
        graduates = list(
            Graduate.objects.in_scope_of(clerk).filter(state=State.UNREACHABLE).order_by("id")[:count]
        )
        if not graduates:
            return
        book = Workbook(write_only=True)
        sheet = book.create_sheet("无法联系名单")
        sheet.append(UNREACHABLE_HEADER)
        for g in graduates:
            mobile = f"1{self.rng.choice((39, 58, 87, 99))}{self.rng.randint(0, 10**8 - 1):08d}"
            row = dict.fromkeys(UNREACHABLE_HEADER, "")
            row.update(
                {
                    "姓名": g.name,
                    "公民身份号码": g.id_number,
                    "毕业院校": g.university_name,
                    "手机号码": mobile,
                }
            )
            sheet.append([row[h] for h in UNREACHABLE_HEADER])
        out = io.BytesIO()
        book.save(out)
        with demo_clock(day):
            self.counts["answers"] += load_answers(content=out.getvalue(), acting_user=clerk).updated

    def mark_unreachable(self, office: Office, day: datetime.date, share: float) -> None:
        """After months of calls that went nowhere, the office marks part of its remaining list 无法联系 in bulk
        (the list page's action): they go on the unreachable list for the Education side."""
        clerk = self.clerk(office.pk)
        ids = list(
            Graduate.objects.filter(responsible_office=office, cohort=2025, state=State.WAITING)
            .order_by("id")
            .values_list("pk", flat=True)
        )
        chosen = self.rng.sample(ids, int(len(ids) * share))
        with demo_clock(day):
            self.counts["marked_unreachable"] += mark_unreachable(
                graduates=Graduate.objects.filter(pk__in=chosen), acting_user=clerk, note="多次联系未果"
            )

    def assign(self, user: User, day: datetime.date, share: float) -> None:
        """Give part of the office's waiting graduates to USER (责任人), so 'my list' has names on it."""
        ids = list(
            Graduate.objects.filter(
                responsible_office=user.office_id, state__in=[State.WAITING, State.UNREACHABLE]
            )
            .order_by("id")
            .values_list("pk", flat=True)
        )
        chosen = ids[: int(len(ids) * share)]
        if chosen:
            with demo_clock(day):
                self.counts["assigned_staff"] += assign_staff(
                    graduates=Graduate.objects.filter(pk__in=chosen), staff=user, acting_user=user
                )


CONTACT_NOTES = {
    "verified": "已核实基本信息，推送岗位信息。",
    "unreachable": "多次联系无果，号码已停机。",
    "elsewhere": "本人现居外地，需转移至现居住地。",
    "employed": "本人已落实工作。",
    "no_intention": "本人暂无就业意愿，准备考研/考公。",
    "no_answer": "电话无人接听。",
}


def _visit_note(destination: str) -> str:
    if destination in DESTINATIONS_EMPLOYED:
        return "本人反馈已落实就业，已登记去向。"
    if destination == "13":
        return "本人已升学，登记去向。"
    if destination == "14":
        return "本人表示暂不就业，已告知可随时来办理求职登记。"
    if destination in ("11", "12"):
        return "正在参加见习/培训，继续跟踪服务。"
    return "已联系，核实基本信息，推送岗位信息 3 条。"


def load_handover(size: int) -> str | None:
    if HandoverBatch.objects.filter(status=HandoverBatch.Status.DISPATCHED).exists():
        return None
    if not HandoverBatch.objects.exists() and not Graduate.objects.exists():
        return None  # no registry demo: nothing was received
    demo = _Demo(size)
    prefectures = list(demo.offices(OfficeKind.PREFECTURE))
    xining = next(o for o in prefectures if o.region_id == "630100")
    haidong = next(o for o in prefectures if o.region_id == "630200")
    chengdong = demo.users["chengdong"].office

    day = datetime.date
    # 2025: a year of work. The Education Dept's list came on 12 September, MOHRSS's on 24 October.
    demo.dispatch(day(2025, 9, 16), 2025, BatchSource.EDUCATION)
    demo.sign(prefectures, day(2025, 9, 17))
    demo.pass_down(xining, day(2025, 9, 24))
    demo.sign(demo.offices(OfficeKind.COUNTY).filter(parent=xining), day(2025, 9, 25))
    demo.dispatch(day(2025, 10, 28), 2025)
    demo.sign(prefectures, day(2025, 10, 29))
    demo.pass_down(xining, day(2025, 11, 4))
    demo.sign(demo.offices(OfficeKind.COUNTY).filter(parent=xining), day(2025, 11, 5))
    demo.assign_queue(day(2025, 11, 10), 2025, share=0.7)
    for i, office in enumerate(prefectures):  # came with their 毕业去向登记 record or archive: verified
        demo.report_in(office, day(2025, 11, 12 + i), cohort=2025, matched=max(2, demo.size // 50), unknown=1)
    elsewhere = demo.contact(2025, day(2025, 9, 26), day(2026, 6, 30))
    demo.transfer(elsewhere, pending_to=[])
    demo.follow_up(2025, day(2026, 1, 5), day(2026, 11, 30), share=0.5)
    holding = (
        Office.objects.filter(graduates__cohort=2025).exclude(pk=demo.bureau.pk).distinct().order_by("pk")
    )
    for i, office in enumerate(holding):
        demo.mark_unreachable(office, day(2026, 4, 1 + i % 20), share=0.15)

    # 2026: this autumn. The universities' rosters (June) confirmed by the Education Dept and its own list came in
    # September: signed for (not yet by 海东, 果洛, 玉树), passed down by 西宁 (城东区 has not signed yet).
    # MOHRSS's list came in October: dispatched, not signed for yet.
    with demo_clock(day(2026, 9, 14)):
        confirm_university_rosters(cohort=2026, acting_user=demo.users["jiaoyu"])
    demo.dispatch(day(2026, 9, 16), 2026, BatchSource.EDUCATION)
    demo.sign(
        [o for o in prefectures if o != haidong and o.region_id not in ("632600", "632700")], day(2026, 9, 17)
    )
    demo.pass_down(xining, day(2026, 9, 23))
    demo.sign(
        demo.offices(OfficeKind.COUNTY).filter(parent=xining).exclude(pk=chengdong.pk), day(2026, 9, 24)
    )
    demo.assign(demo.users["chengdong"], day(2026, 10, 8), share=0.4)
    demo.assign(demo.clerk(haidong.pk), day(2026, 10, 9), share=0.3)
    demo.dispatch(day(2026, 10, 29), 2026)
    for office in (chengdong, xining):
        demo.report_in(office, day(2026, 10, 20), cohort=2026, matched=max(3, demo.size // 200), unknown=3)
    elsewhere = demo.contact(2026, day(2026, 9, 25), timezone.localdate() - datetime.timedelta(days=1))
    demo.transfer(elsewhere, pending_to=[chengdong, haidong], complete=True)
    demo.unreachable_answers(chengdong, timezone.localdate() - datetime.timedelta(days=1), count=3)

    c = demo.counts
    return (
        f"分发 {c['dispatched']} 人（人工分配 {c['assigned']} 人），签收 {c['signed']} 人，联系 {c['contacts']} 次，"
        f"回访 {c['visits']} 次，转移 {c['accepted'] + c['rejected'] + c['cancelled'] + c['pending']} 件"
        f"（接收 {c['accepted']}、拒绝 {c['rejected']}、撤回 {c['cancelled']}、待接收 {c['pending']}），"
        f"转出省外 {c['left_province']} 人，报到 {c['report_in']} 人，批量标记无法联系 {c['marked_unreachable']} 人，"
        f"无法联系名单反馈 {c['answers']} 人"
    )
