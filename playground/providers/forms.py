"""The provider forms: staff's (shared by the staff pages and the admin) and a team
owner's (`TeamProviderForm`: no team to choose, no private-network switch).

The API key field is write-only: it is never rendered back (not even masked), an empty field
keeps the stored key, and a checkbox clears it. The model's `clean()` runs the URL guard, so a
refused base URL is a form error on that field.
"""

from __future__ import annotations

from django import forms

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


class RotateKeyForm(forms.Form):
    api_key = forms.CharField(
        strip=True,
        max_length=4096,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text="The new key replaces the stored one at once; the old key is not kept.",
    )


class TeamProviderForm(ProviderForm):
    """A team owner's provider form. The team is the owner's (set on the instance by the
    view) and the private-network switch stays staff's: a provider staff allowed to reach
    private addresses keeps its base URL here, so that permission cannot be pointed
    elsewhere."""

    class Meta(ProviderForm.Meta):
        fields = [f for f in ProviderForm.Meta.fields if f not in ("team", "allow_private_network")]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.allow_private_network:
            self.fields["base_url"].disabled = True
            self.fields["base_url"].help_text = (
                "Staff allowed this provider to reach a private address; only staff change its URL."
            )
