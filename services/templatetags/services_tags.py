"""The record page's service panel (included from graduates/detail.html, so the registry imports nothing)."""

from django import template

from core.scope import scope_for

from ..codes import Channel, ServiceType
from ..forms import ServiceForm, VoidForm
from ..selectors import graduate_services

register = template.Library()

RECENT = 10


@register.inclusion_tag("services/_record_panel_body.html", takes_context=True)
def service_panel(context, graduate):
    request = context.get("request")
    user = getattr(request, "user", None)
    office = getattr(user, "office", None)
    can_log = bool(
        context.get("can_act") and office is not None and office.is_employment_office and user.role
    )
    scope = scope_for(user)
    recent = [e for e in graduate_services(graduate)[:RECENT] if scope.covers_office(e.office_id)]
    return {
        "g": graduate,
        "can_log": can_log,
        "form": ServiceForm(),
        "void_form": VoidForm(),
        "recent": recent,
        "csrf_token": context.get("csrf_token"),
    }


@register.filter
def service_label(code: str) -> str:
    return dict(ServiceType.choices).get(code, code)


@register.filter
def channel_label(code: str) -> str:
    return dict(Channel.choices).get(code, code) if code else "—"
