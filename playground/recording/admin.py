"""Admin: the price table is edited here; recordings are read-only (writes go through the
capture API), and the list never loads bodies, raw bytes or media."""

from __future__ import annotations

from django.contrib import admin, messages

from playground import recording
from playground.recording import prices
from playground.recording.models import Exchange, Price, Thread
from playground.recording.queries import HEAVY_FIELDS


@admin.register(Price)
class PriceAdmin(admin.ModelAdmin):
    list_display = [
        "model_pattern",
        "label",
        "input",
        "output",
        "cache_write_5m",
        "cache_write_1h",
        "cache_read",
        "web_search_per_1k",
        "updated_at",
    ]
    search_fields = ["model_pattern", "label"]

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        prices.invalidate()

    def delete_model(self, request, obj) -> None:
        super().delete_model(request, obj)
        prices.invalidate()


@admin.register(Exchange)
class ExchangeAdmin(admin.ModelAdmin):
    list_display = ["public_id", "started_at", "team", "source", "model", "outcome", "status"]
    list_filter = ["source", "outcome"]
    search_fields = ["public_id", "model", "request_id"]
    fields = [
        "public_id",
        "team",
        "source",
        "model",
        "provider",
        "outcome",
        "status",
        "stop_reason",
        "error_type",
        "error_message",
        "started_at",
        "duration_ms",
        "cost_usd",
        "thread",
        "step",
        "branch",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).defer(*HEAVY_FIELDS).select_related("team")

    def changelist_view(self, request, extra_context=None):
        # Staff see at once when this process could not record everything.
        health = recording.health()
        if not health["ok"]:
            messages.warning(
                request,
                f"Recording lost data since this process started: {health['failed_ops']} "
                f"operations and {health['dropped_events']} events not written; last error "
                f"at {health['last_error_at']}: {health['last_error']}",
            )
        return super().changelist_view(request, extra_context)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Thread)
class ThreadAdmin(admin.ModelAdmin):
    list_display = ["public_id", "title", "team", "exchange_count", "last_at"]
    readonly_fields = ["public_id", "team", "hint", "title", "started_at", "last_at", "exchange_count"]

    def has_add_permission(self, request) -> bool:
        return False
