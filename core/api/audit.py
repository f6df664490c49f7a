"""API calls that read personal data are audited (issue 12): who, which endpoint, with which filters (ID numbers
and phones masked), how many records. A full record's retrieve is already written as its own action
(`masking.full_retrieve`, e.g. graduate.viewed) and is not written twice."""

from __future__ import annotations

from core.audit import clean_filters, record_audit

READ_ACTIONS = {"list", "retrieve"}
IGNORED_PARAMETERS = {"cursor", "page_size", "format"}


def mark_audited(request) -> None:
    """REQUEST's read has been written to the audit log already (by full_retrieve)."""
    request._personal_read_audited = True


def _rows(data) -> int:
    if isinstance(data, dict) and isinstance(data.get("results"), list):
        return len(data["results"])
    if isinstance(data, list):
        return len(data)
    return 1


class AuditedReadMixin:
    """On a viewset whose answers name people: each successful GET (list, retrieve or a read action) is one
    `api.read` audit row, and so is each POST action named in `audited_post_reads` (a lookup that takes its ID
    number in the body). `audit_object_type`: what is read, e.g. "graduates.graduate"."""

    audit_object_type = ""
    audited_post_reads: tuple[str, ...] = ()

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)  # type: ignore[misc]
        action = getattr(self, "action", None) or ""
        post_read = request.method == "POST" and action in self.audited_post_reads
        if (
            (request.method == "GET" or post_read)
            and 200 <= response.status_code < 300
            and not getattr(self, "swagger_fake_view", False)
            and not getattr(request, "_personal_read_audited", False)
            and getattr(request, "user", None) is not None
            and request.user.is_authenticated
        ):
            asked = request.data if post_read and isinstance(request.data, dict) else request.query_params
            filters = {k: v for k, v in clean_filters(asked).items() if k not in IGNORED_PARAMETERS}
            lookup = getattr(self, "lookup_url_kwarg", None) or getattr(self, "lookup_field", "pk")
            record_audit(
                action="api.read",
                request=request,
                data={
                    "via": "api",
                    "object_type": self.audit_object_type,
                    "view": action,
                    "object_id": str(kwargs.get(lookup, ""))[:64],
                    "filters": filters,
                    "rows": _rows(getattr(response, "data", None)),
                },
            )
        return response
