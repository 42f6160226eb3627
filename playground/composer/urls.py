"""Routes of the composer page and its JSON endpoints (documented in docs/composer.md)."""

from __future__ import annotations

from django.urls import path

from playground.composer import views

app_name = "composer"
urlpatterns = [
    path("", views.playground, name="playground"),
    path("draft", views.save_draft, name="draft"),
    path("validate", views.validate, name="validate"),
    path("import", views.import_text, name="import"),
    path("code", views.code, name="code"),
]
