"""Staff configure providers here. The API key field is write-only: it is never rendered
back (not even masked), an empty field keeps the stored key, and a checkbox clears it."""

from __future__ import annotations

from django import forms
from django.contrib import admin

from playground.providers.crypto import encrypt_key
from playground.providers.models import Provider


class ProviderForm(forms.ModelForm):
    api_key = forms.CharField(
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text="Write-only. Leave empty to keep the stored key.",
    )
    clear_api_key = forms.BooleanField(required=False, help_text="Remove the stored key.")

    class Meta:
        model = Provider
        fields = [
            "name", "base_url", "auth_style", "api_key", "clear_api_key", "model_patterns",
            "extra_headers", "allow_private_network", "passthrough", "enabled", "team",
            "anthropic_version", "connect_timeout", "first_byte_timeout", "idle_timeout",
        ]

    def save(self, commit: bool = True) -> Provider:
        row = super().save(commit=False)
        if self.cleaned_data.get("clear_api_key"):
            row.api_key_encrypted = ""
        elif self.cleaned_data.get("api_key"):
            row.api_key_encrypted = encrypt_key(self.cleaned_data["api_key"])
        if commit:
            row.save()
        return row


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
