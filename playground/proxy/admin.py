"""Admin for proxy keys: listing and revoking only; keys are created in the page or CLI."""

from __future__ import annotations

from django.contrib import admin

from playground.proxy.keys import revoke_key
from playground.proxy.models import ProxyKey


@admin.action(description="Revoke selected keys")
def revoke(modeladmin, request, queryset) -> None:
    for key in queryset:
        revoke_key(key)


@admin.register(ProxyKey)
class ProxyKeyAdmin(admin.ModelAdmin):
    list_display = ["name", "team", "prefix", "provider", "mode", "created", "revoked_at"]
    list_filter = ["team", "mode"]
    readonly_fields = ["prefix", "key_hash", "created", "created_by", "revoked_at"]
    actions = [revoke]

    def has_add_permission(self, request) -> bool:
        return False
