"""Provincial admins: search, filter and export the registry. Records are changed only in the offices' pages
(through graduates.actions), so the admin shows them read-only, history included."""

import datetime
from urllib.parse import urlencode

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from import_export.admin import ExportMixin
from import_export.formats import base_formats

from core.audit import record_audit, record_export
from core.purpose import PurposeExportForm, export_form_purpose

from . import search_tokens
from .models import FollowUpVisit, Graduate, GraduateChange, GraduateSource, RosterDeadline, RosterUpload
from .resources import GraduateExportResource


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ChangeInline(ReadOnlyInline):
    model = GraduateChange
    fields = ["at", "kind", "actor", "office", "changes", "note", "audit_link"]
    readonly_fields = fields
    verbose_name_plural = "变更记录（只读）"

    @admin.display(description="审计日志")
    def audit_link(self, obj: GraduateChange) -> str:
        """The audit rows of the same person within a minute of the change (the change's own row among them,
        also for set-based changes whose row names the batch or office rather than this record)."""
        window = datetime.timedelta(minutes=1)
        query = {"at__gte": (obj.at - window).isoformat(), "at__lt": (obj.at + window).isoformat()}
        query.update({"actor__exact": str(obj.actor_id)} if obj.actor_id else {"actor__isnull": "True"})
        return format_html(
            '<a href="{}?{}">查看</a>', reverse("admin:core_auditevent_changelist"), urlencode(query)
        )


class VisitInline(ReadOnlyInline):
    model = FollowUpVisit
    fields = ["visited_on", "method", "outcome", "destination", "employer", "note", "staff", "office"]
    readonly_fields = fields


class SourceInline(ReadOnlyInline):
    model = GraduateSource
    fields = ["channel", "reference", "received_at", "office"]
    readonly_fields = fields


@admin.register(Graduate)
class GraduateAdmin(ExportMixin, admin.ModelAdmin):
    resource_classes = [GraduateExportResource]
    formats = [base_formats.XLSX, base_formats.CSV]
    list_display = [
        "name",
        "masked_id_number",
        "cohort",
        "education",
        "state",
        "responsible_office",
        "updated_at",
    ]
    list_filter = ["state", "cohort", "education", "category", "destination", "location_intention"]
    search_fields = ["^name", "=mobile"]  # + a whole ID number, through its blind index (get_search_results)
    search_help_text = "姓名（前缀）、完整身份证号或手机号"
    list_select_related = ["responsible_office"]
    show_full_result_count = False
    list_per_page = 50
    inlines = [SourceInline, VisitInline, ChangeInline]

    @admin.display(description="公民身份号码")
    def masked_id_number(self, obj: Graduate) -> str:
        return obj.masked_id_number

    def get_queryset(self, request):
        return super().get_queryset(request).in_scope_of(request.user)

    def changelist_view(self, request, extra_context=None):
        # The admin's search box is a GET form: an ID number or phone typed there is moved out of the URL at once
        # (into the session, behind a token; see graduates/search_tokens.py).
        q = request.GET.get("q", "")
        if q and not search_tokens.is_token(q) and search_tokens.is_sensitive(q):
            query = search_tokens.hide_sensitive(request.session, request.GET)
            return redirect(f"{request.path}?{query.urlencode()}")
        return super().changelist_view(request, extra_context)

    def get_search_results(self, request, queryset, search_term):
        from .checks import ID_PATTERN, normalize_text

        if search_tokens.is_token(search_term):
            search_term = search_tokens.load(request.session, search_term)
            if search_term is None:  # lapsed, or another session's token
                return queryset.none(), False
        term = normalize_text(search_term).upper() or search_term
        if ID_PATTERN.fullmatch(term):  # encrypted at rest: an exact match through the blind index
            return queryset.with_id_number(term), False
        return super().get_search_results(request, queryset, term)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    export_form_class = PurposeExportForm  # + the purpose, required above EXPORT_PURPOSE_THRESHOLD rows

    def get_export_data(self, file_format, request, queryset, **kwargs):
        rows = queryset.count()
        purpose = export_form_purpose(kwargs.get("export_form"), rows)
        data = super().get_export_data(file_format, request, queryset, **kwargs)
        record_export(
            action="graduate.exported",
            request=request,
            rows=rows,
            purpose=purpose,
            data={"format": file_format.get_title()},
        )
        return data

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if response.status_code == 200:
            record_audit(
                action="graduate.viewed", actor=request.user, request=request, data={"id": object_id}
            )
        return response


@admin.register(RosterUpload)
class RosterUploadAdmin(admin.ModelAdmin):
    """The uploads, read-only; uploading, checking and committing happen through the roster engine
    (graduates/roster/actions.py), from the admin's 导入名单 page, the /imports/ pages or the command line."""

    list_display = [
        "created_at", "filename", "source", "university", "cohort", "status", "rows_total", "new", "updated",
        "unchanged", "invalid", "conflicts", "uploaded_by", "preview_link",
    ]  # fmt: skip
    list_filter = ["status", "source", "cohort"]
    search_fields = ["filename", "university__name"]
    exclude = ["content", "errors", "conflict_list", "columns"]
    list_select_related = ["university", "uploaded_by"]

    @admin.display(description="预览")
    def preview_link(self, obj: RosterUpload) -> str:
        return format_html('<a href="{}">打开</a>', reverse("roster:detail", args=[obj.pk]))

    def get_queryset(self, request):
        from .roster.selectors import uploads_visible_to

        return uploads_visible_to(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_urls(self):
        return [
            path(
                "import-roster/", self.admin_site.admin_view(self.import_view), name="graduates_import_roster"
            ),
            *super().get_urls(),
        ]

    def import_view(self, request):
        """The admin's import page: the same form and engine as /imports/ (same checks, same preview)."""
        from .roster import actions
        from .roster.forms import UploadForm

        form = UploadForm(
            request.POST or None,
            request.FILES or None,
            user=request.user,
            sources=actions.sources_for(request.user),
        )
        if request.method == "POST" and form.is_valid():
            try:
                upload = actions.receive_upload(cleaned_data=form.cleaned_data, acting_user=request.user)
            except ValidationError as exc:
                form.add_error("file", exc.messages)
            else:
                return redirect("roster:detail", pk=upload.pk)
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "title": "导入名单",
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/graduates/import_roster.html", context)


@admin.register(RosterDeadline)
class RosterDeadlineAdmin(admin.ModelAdmin):
    list_display = ["cohort", "due_date"]
