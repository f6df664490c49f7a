"""The scheduled mail's part of the living demo: every employment office of the demo province (the bureau,
西宁市, 海东市, 城东区 …) has a report recipient at example.gov.cn, editable in the admin. Idempotent."""

from __future__ import annotations

from core.models import Office

from .models import ReportRecipient


def report_recipients(size: int) -> str | None:
    offices = Office.objects.employment_offices().active().exclude(report_recipients__isnull=False)
    created = ReportRecipient.objects.bulk_create(
        [
            ReportRecipient(
                office=office,
                name=f"{office.name}报表联络员",
                email=f"report-{office.region_id}@example.gov.cn",
            )
            for office in offices.order_by("region_id")
        ],
        ignore_conflicts=True,
    )
    return f"{len(created)} 个报表收件人" if created else None
