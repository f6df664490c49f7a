"""One write path for a graduate: no module outside graduates/ writes a Graduate row or its history. The other
apps call the registry's set-based actions (graduates/actions.py)."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APPS = ["core", "handover", "services", "reporting", "config"]

WRITES = [
    re.compile(r"(UPDATE|INSERT\s+INTO|DELETE\s+FROM|COPY)\s+graduates_graduate(change)?\b", re.IGNORECASE),
    re.compile(
        r"\bGraduate(Change)?\.objects\b[^\n]*\.(update|bulk_update|bulk_create|create|get_or_create|delete)\("
    ),
    re.compile(r"\bGraduateChange\("),
    re.compile(r"\bgraduate\.save\("),
    re.compile(r"from graduates\.models import [^\n]*\bGraduateChange\b"),
]


def _offending_lines():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
                if any(pattern.search(line) for pattern in WRITES):
                    yield f"{path.relative_to(ROOT)}:{number}: {line.strip()}"


def test_no_module_outside_the_registry_writes_a_graduate():
    assert list(_offending_lines()) == []


def test_the_check_finds_a_write():
    """The patterns catch the forms a write takes (so the test above can fail)."""
    samples = [
        'cursor.execute("UPDATE graduates_graduate SET state = %s")',
        '"INSERT INTO graduates_graduatechange (graduate_id) SELECT 1"',
        "Graduate.objects.filter(pk=1).update(state='verified')",
        "GraduateChange.objects.create(graduate=g)",
        "graduate.save(update_fields=['state'])",
    ]
    for sample in samples:
        assert any(pattern.search(sample) for pattern in WRITES), sample
