"""Routes of the composer page and its JSON endpoints (documented in docs/composer.md)."""

from __future__ import annotations

from django.urls import path

from playground.composer import views, views_copies

app_name = "composer"
urlpatterns = [
    path("", views.playground, name="playground"),
    path("copies", views_copies.copies, name="copies"),
    path("copies/<str:public_id>/state", views_copies.save_state, name="copy-state"),
    path("copies/<str:public_id>/title", views_copies.title, name="copy-title"),
    path("copies/<str:public_id>/save", views_copies.save, name="copy-save"),
    path("copies/<str:public_id>/close", views_copies.close, name="copy-close"),
    path("validate", views.validate, name="validate"),
    path("compare", views.compare_columns, name="compare"),
    path("variables", views.variables, name="variables"),
    path("import", views.import_text, name="import"),
    path("code", views.code, name="code"),
]
