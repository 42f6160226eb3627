"""The Django admin's view of providers; the app's own staff pages (views.py) and the admin
share one write-only key form (forms.py)."""

from __future__ import annotations

from django.contrib import admin

from playground.providers.forms import ProviderForm
from playground.providers.models import Provider


@admin.register(Provider)
class ProviderAdmin(admin.ModelAdmin):
    form = ProviderForm
    list_display = ["name", "base_url", "auth_style", "key_stored", "model_patterns", "team", "enabled",
                    "allow_private_network", "passthrough", "builtin"]
    list_filter = ["enabled", "auth_style", "passthrough", "team"]
    search_fields = ["name", "base_url", "model_patterns"]

    @admin.display(boolean=True, description="key")
    def key_stored(self, obj: Provider) -> bool:
        return obj.has_key

    def has_delete_permission(self, request, obj=None) -> bool:
        if obj is not None and obj.builtin:
            return False
        return super().has_delete_permission(request, obj)

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.builtin:
            return [f for f in ProviderForm.Meta.fields if f not in ("api_key", "clear_api_key")]
        return []
