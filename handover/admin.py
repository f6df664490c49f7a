from django.contrib import admin

from .models import HandoverDeadline


@admin.register(HandoverDeadline)
class HandoverDeadlineAdmin(admin.ModelAdmin):
    list_display = ["cohort", "kind", "due_on"]
    list_filter = ["kind"]
