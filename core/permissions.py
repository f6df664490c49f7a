"""View decorators for who may act (what they may see is core.scope's job)."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied


def employment_office_required(view):
    """Only staff of an employment service office (bureau, prefecture, county) may register and serve."""

    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        office = request.user.office
        if office is None or not office.is_employment_office:
            raise PermissionDenied("只有就业服务机构的工作人员可以进行此操作。")
        return view(request, *args, **kwargs)

    return wrapper
