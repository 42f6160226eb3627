"""Routes of the library pages (documented in docs/library.md)."""

from __future__ import annotations

from django.urls import path

from playground.library import views_list, views_request

app_name = "library"
urlpatterns = [
    path("", views_list.library, name="list"),
    path("new", views_list.new_request, name="new"),
    path("export", views_list.export_collection, name="export"),
    path("import", views_list.import_file, name="import"),
    path("<str:public_id>/", views_request.detail, name="detail"),
    path("<str:public_id>/edit", views_request.edit, name="edit"),
    path("<str:public_id>/delete", views_request.delete, name="delete"),
    path("<str:public_id>/restore", views_request.restore, name="restore"),
    path("<str:public_id>/fork", views_request.fork, name="fork"),
    path("<str:public_id>/diff", views_request.diff, name="diff"),
    path("<str:public_id>/export", views_request.export_one, name="export_one"),
    path("<str:public_id>/versions/new", views_request.new_version, name="new_version"),
    path("<str:public_id>/versions/<int:number>/", views_request.version, name="version"),
    path(
        "<str:public_id>/versions/<int:number>/state.json",
        views_request.version_json,
        name="version_json",
    ),
]
