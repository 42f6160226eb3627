"""Inspector routes, mounted at /exchanges/ (playground/urls.py)."""

from __future__ import annotations

from django.urls import path

from playground.inspector import (
    views_diff,
    views_exchange,
    views_export,
    views_list,
    views_replay,
    views_threads,
)

app_name = "inspector"
urlpatterns = [
    path("", views_list.exchange_list, name="list"),
    path("diff/", views_diff.exchange_diff, name="diff"),
    path("export.<str:fmt>", views_export.list_export, name="export"),
    path("threads/", views_threads.thread_list, name="threads"),
    path("threads/<str:public_id>/", views_threads.thread_detail, name="thread"),
    path("threads/<str:public_id>/export.<str:fmt>", views_export.thread_export, name="thread_export"),
    path("<str:public_id>/", views_exchange.exchange_detail, name="exchange"),
    path("<str:public_id>/row/", views_list.exchange_row, name="row"),
    path("<str:public_id>/code/<str:lang>/", views_exchange.exchange_code, name="code"),
    path("<str:public_id>/raw/<str:part>", views_exchange.exchange_raw, name="raw"),
    path("<str:public_id>/media/<str:sha256>/", views_exchange.exchange_media, name="media"),
    path("<str:public_id>/replay/", views_replay.exchange_replay, name="replay"),
]
