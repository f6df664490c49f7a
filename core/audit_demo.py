"""The demo's audit log: besides the rows the demo's own actions leave, a few bulk downloads with their stated
purposes (as the purpose step stores them), so the admin's 审计日志 shows the purpose column and search with data."""

from __future__ import annotations

from django.db.models import Q

from .audit import record_export
from .models import AuditEvent, User

DEMO_DOWNLOADS = [
    ("sheng", "graduate.exported", 1200, "核对全省困难家庭毕业生一对一帮扶名单", {"format": "xlsx"}),
    ("xining", "reporting.monthly.downloaded", 480, "按月向省人社厅报送离校未就业高校毕业生汇总表", {}),
    ("chengdong", "handover.unreachable.exported", 130, "发教育部门补充无法联系毕业生的联系方式", {}),
]


def purposeful_downloads(size: int) -> str | None:
    if AuditEvent.objects.filter(~Q(data__purpose=""), data__has_key="purpose").exists():
        return None  # a second run adds nothing
    users = {u.username: u for u in User.objects.filter(username__in=[d[0] for d in DEMO_DOWNLOADS])}
    written = 0
    for username, action, rows, purpose, data in DEMO_DOWNLOADS:
        if username in users:
            record_export(
                action=action, actor=users[username], rows=rows, purpose=purpose, filters={}, data=data
            )
            written += 1
    return f"{written} 条注明使用目的的下载记录" if written else None
