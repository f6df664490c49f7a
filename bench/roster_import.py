"""The roster import at 100,000 rows, end to end (parse, check, write), against django-import-export's default.

    .venv/bin/python bench/roster_import.py [--rows 100000] [--baseline-rows 10000]

Runs against its own database (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/gradservice_bench_import),
emptied of graduates at the start. Generates a realistic roster (.xlsx, generated people, ~3% invalid rows:
wrong check digits, unknown codes, missing majors), then in separate processes, each reporting its own peak RSS:

1. ours: `roster.actions.create_upload` → `check_upload` → `commit_upload` (what the page, the command and
   the worker run), timed per phase;
2. the baseline: a plain `import_export.resources.ModelResource` for Graduate with default settings importing
   the first --baseline-rows rows of the same kind of file (its columns named as the model's fields).

3. the floor: a bare python-calamine parse of the same file plus a COPY of its rows (as text) into an
   unlogged table — what any import of this file must spend at least, measured in the same run on the same
   machine, so the import's time can be read as a ratio to it whatever else the machine is doing.

Prints rows/s of ours and the baseline and the ratio, and ours against the floor. Targets: 100,000 rows ≤ 15 s,
≥ 15× the baseline's rows/s, peak RSS ≤ 500 MB, ≤ 3× the floor. Exits 1 when one is missed.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/gradservice_bench_import"
TARGET_SECONDS, TARGET_RATIO, TARGET_RSS_MB, TARGET_FLOOR_RATIO = 15.0, 15.0, 500.0, 3.0

SURNAMES = "王李张刘陈杨赵黄周吴徐孙马胡朱郭何罗高林"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂"
MAJORS = [
    "计算机科学与技术",
    "汉语言文学",
    "临床医学",
    "会计学",
    "土木工程",
    "护理",
    "法学",
    "畜牧兽医",
    "旅游管理",
]
COUNTIES = [
    "630102",
    "630103",
    "630104",
    "630105",
    "630121",
    "630202",
    "632221",
    "632321",
    "632521",
    "632801",
]


def setup(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    from registry import setup_django  # bench/registry.py: env defaults, CREATE DATABASE, django.setup()

    setup_django()


def id_number(rng: random.Random, seq: int) -> str:
    from stdnum.cn import ric

    birth = f"{2002 + rng.randrange(3)}{1 + rng.randrange(12):02d}{1 + rng.randrange(28):02d}"
    body = f"{rng.choice(COUNTIES)}{birth}{seq % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")


def generate_rows(count: int, seed: int = 2026) -> list[dict]:
    """Unique ID numbers (region + birth date + sequence), every code list used, ~3% of rows with one error."""
    rng = random.Random(seed)
    rows, seen = [], set()
    seq = 0
    while len(rows) < count:
        seq += 1
        number = id_number(rng, seq)
        if number in seen:
            continue
        seen.add(number)
        intentions = rng.choice(["3", "13", "12", "4", "7", "9", "5"])
        row = {
            "姓名": rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(["", *GIVEN]),
            "性别": "1" if int(number[16]) % 2 else "2",
            "民族": rng.choice(["01", "01", "01", "03", "04", "30", "35"]),
            "公民身份号码": number,
            "毕业院校": rng.choice(["青海大学", "青海师范大学", "青海民族大学", "兰州大学"]),
            "毕业日期": "20260630",
            "学历": rng.choice("12333344445"),
            "所学专业": rng.choice(MAJORS),
            "入学前户口所在地": rng.choice(COUNTIES),
            "手机号码": f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}",
            "困难状况": rng.choice(["4", "4", "4", "1", "2", "3", "12"]),
            "就业地意向": rng.choice("123"),
            "就业意向": intentions,
            "就业服务需求": "" if "9" in intentions else rng.choice(["12", "23", "2", "135", "78"]),
            "就业状态": rng.choice(["未就业", "未就业", "签约"]),
        }
        if rng.random() < 0.03:  # a few percent invalid, each a different kind of mistake
            mistake = rng.randrange(3)
            if mistake == 0:
                row["公民身份号码"] = number[:-1] + ("0" if number[-1] != "0" else "1")
            elif mistake == 1:
                row["学历"] = "9"
            else:
                row["所学专业"] = ""
        rows.append(row)
    return rows


def write_xlsx(rows: list[dict], path: Path, header: list[str]) -> None:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("名单")
    sheet.append(header)
    for row in rows:
        sheet.append([row.get(column, "") for column in header])
    workbook.save(path)


def run_ours(path: Path) -> dict:
    from core.models import User
    from graduates.roster import actions

    user = User.objects.get(username="qhu")
    content = path.read_bytes()
    t0 = time.perf_counter()
    upload = actions.create_upload(
        content=content, filename=path.name, source="university", cohort=2026, acting_user=user
    )
    t1 = time.perf_counter()
    upload = actions.check_upload(upload)
    t2 = time.perf_counter()
    upload = actions.commit_upload(upload=upload, acting_user=user)
    t3 = time.perf_counter()
    return {
        "rows": upload.rows_total,
        "new": upload.new,
        "invalid": upload.invalid,
        "store_s": t1 - t0,
        "check_s": t2 - t1,
        "commit_s": t3 - t2,
        "total_s": t3 - t0,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def run_baseline(path: Path) -> dict:
    """django-import-export's default: a ModelResource with default settings, import_data(dry_run=False)."""
    import tablib
    from import_export import resources

    from graduates.models import Graduate

    class GraduateResource(resources.ModelResource):
        class Meta:
            model = Graduate

    dataset = tablib.Dataset().load(path.read_bytes(), format="xlsx")
    t0 = time.perf_counter()
    result = GraduateResource().import_data(dataset, dry_run=False, raise_errors=False)
    elapsed = time.perf_counter() - t0
    return {
        "rows": len(dataset),
        "errors": result.has_errors() or result.has_validation_errors(),
        "total_s": elapsed,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def run_floor(path: Path) -> dict:
    """The least any import of PATH costs: python-calamine parses the first sheet (every cell as text), and the
    rows go by COPY into an unlogged table of text columns. No checks, no lookups, no indexes."""
    import csv

    from django.db import connection
    from python_calamine import CalamineWorkbook

    t0 = time.perf_counter()
    workbook = CalamineWorkbook.from_path(str(path))
    rows = workbook.get_sheet_by_index(0).to_python(skip_empty_area=True)
    header, body = rows[0], rows[1:]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in body:
        writer.writerow(["" if v is None else v for v in row])
    t1 = time.perf_counter()
    columns = ", ".join(f"c{i} text" for i in range(len(header)))
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_floor")
        cursor.execute(f"CREATE UNLOGGED TABLE bench_floor ({columns})")
        buffer.seek(0)
        cursor.copy_expert("COPY bench_floor FROM STDIN WITH (FORMAT csv)", buffer)
        cursor.execute("SELECT count(*) FROM bench_floor")
        copied = cursor.fetchone()[0]
        cursor.execute("DROP TABLE bench_floor")
    t2 = time.perf_counter()
    return {"rows": copied, "parse_s": t1 - t0, "copy_s": t2 - t1, "total_s": t2 - t0}


def baseline_file(rows: list[dict], path: Path) -> None:
    """The same people under the model's field names (what a default ModelResource expects)."""
    from core.models import Office
    from graduates.checks import check_id_number

    bureau = Office.objects.get(kind="bureau").pk
    header = ["name", "gender", "ethnicity", "id_number", "birth_date", "university_name", "graduation_date",
              "education", "major", "origin_region", "mobile", "cohort", "responsible_office", "state"]  # fmt: skip
    out = []
    for row in rows:
        try:
            birth = check_id_number(row["公民身份号码"]).birth_date.isoformat()
        except Exception:
            continue
        out.append({
            "name": row["姓名"], "gender": row["性别"], "ethnicity": row["民族"], "id_number": row["公民身份号码"],
            "birth_date": birth, "university_name": row["毕业院校"], "graduation_date": "2026-06-30",
            "education": row["学历"], "major": row["所学专业"] or "未填", "origin_region": row["入学前户口所在地"],
            "mobile": row["手机号码"], "cohort": 2026, "responsible_office": bureau, "state": "waiting",
        })  # fmt: skip
    write_xlsx(out, path, header)


def child(kind: str, path: str, database_url: str) -> None:
    setup(database_url)
    runners = {"ours": run_ours, "baseline": run_baseline, "floor": run_floor}
    result = runners[kind](Path(path))
    print(json.dumps(result))


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--baseline-rows", type=int, default=10_000)
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    database_url = os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)
    if args.child:
        child(args.child[0], args.child[1], database_url)
        return 0
    setup(database_url)
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    call_command("seed_demo", "--bare", stdout=io.StringIO())
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE graduates_graduate, graduates_rosterupload CASCADE")
    from tests.roster_files import SUMMARY_HEADER

    work = Path("/tmp/gradservice-bench")
    work.mkdir(exist_ok=True)
    rows = generate_rows(args.rows)
    ours_file, base_file = work / "roster-100k.xlsx", work / "baseline.xlsx"
    write_xlsx(rows, ours_file, SUMMARY_HEADER)
    baseline_file(rows[: args.baseline_rows], base_file)
    print(
        f"roster: {len(rows):,} rows, {ours_file.stat().st_size / 1e6:.1f} MB; baseline file {args.baseline_rows:,} rows"
    )

    def run(kind: str, path: Path) -> dict:
        out = subprocess.run(
            [sys.executable, __file__, "--child", kind, str(path)], capture_output=True, text=True, check=True,
            env={**os.environ, "DATABASE_URL": database_url},
        )  # fmt: skip
        return json.loads(out.stdout.strip().splitlines()[-1])

    floor = run("floor", ours_file)
    ours = run("ours", ours_file)
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE graduates_graduate CASCADE")
    base = run("baseline", base_file)
    ours_rate = ours["rows"] / ours["total_s"]
    base_rate = base["rows"] / base["total_s"]
    ratio = ours_rate / base_rate
    print(f"ours:     {ours['rows']:,} rows ({ours['new']:,} new, {ours['invalid']:,} invalid) in {ours['total_s']:.1f} s "
          f"= {ours_rate:,.0f} rows/s [store {ours['store_s']:.1f} s, parse+check {ours['check_s']:.1f} s, "
          f"commit {ours['commit_s']:.1f} s], peak RSS {ours['peak_rss_mb']:.0f} MB")  # fmt: skip
    print(f"baseline: django-import-export ModelResource defaults, {base['rows']:,} rows in {base['total_s']:.1f} s "
          f"= {base_rate:,.0f} rows/s, peak RSS {base['peak_rss_mb']:.0f} MB")  # fmt: skip
    print(f"ratio:    {ratio:.1f}× the baseline's rows/s")
    floor_ratio = ours["total_s"] / floor["total_s"]
    print(f"floor:    python-calamine parse + COPY into an unlogged table, {floor['rows']:,} rows in "
          f"{floor['total_s']:.1f} s [parse {floor['parse_s']:.1f} s, COPY {floor['copy_s']:.1f} s]; "
          f"ours = {floor_ratio:.1f}× the floor")  # fmt: skip
    checks = [
        (
            f"100,000 rows end to end ≤ {TARGET_SECONDS:.0f} s",
            ours["total_s"] * 100_000 / ours["rows"] <= TARGET_SECONDS,
        ),
        (f"≥ {TARGET_RATIO:.0f}× django-import-export", ratio >= TARGET_RATIO),
        (f"peak RSS ≤ {TARGET_RSS_MB:.0f} MB", ours["peak_rss_mb"] <= TARGET_RSS_MB),
        (f"≤ {TARGET_FLOOR_RATIO:.0f}× the floor (parse + COPY)", floor_ratio <= TARGET_FLOOR_RATIO),
    ]
    for label, ok in checks:
        print(f"  {'PASS' if ok else 'FAIL'}  {label}")
    return 0 if all(ok for _, ok in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
