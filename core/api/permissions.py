"""Who may act through the API (what they may see is the scope's job, see scoping)."""

from __future__ import annotations

from rest_framework.permissions import SAFE_METHODS, BasePermission

MSG_EMPLOYMENT_OFFICE = "只有就业服务机构的工作人员可以进行此操作。"


class EmploymentOfficeWrites(BasePermission):
    """Reads for every signed-in user; writes only for staff of an employment office (bureau, prefecture,
    county), as `core.permissions.employment_office_required` on the pages."""

    message = MSG_EMPLOYMENT_OFFICE

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        if request.method in SAFE_METHODS:
            return True
        office = getattr(user, "office", None)
        return office is not None and office.is_employment_office


class EmploymentOffice(BasePermission):
    """Employment office staff only, reads too (service plans belong to employment offices)."""

    message = MSG_EMPLOYMENT_OFFICE

    def has_permission(self, request, view) -> bool:
        user = request.user
        office = getattr(user, "office", None) if user and user.is_authenticated else None
        return office is not None and office.is_employment_office
