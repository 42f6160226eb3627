"""HTTP routes. The /v1/* proxy surface is routed in asgi.py, before Django's stack."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("playground.teams.urls")),
    path("", include("playground.composer.urls")),
    path("exchanges/", include("playground.inspector.urls")),
    path("proxy/", include("playground.proxy.urls")),
    path("providers/", include("playground.providers.urls")),
    path("library/", include("playground.library.urls")),
    path("", include("playground.sharing.urls")),
]
