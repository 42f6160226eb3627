from django.urls import path

from playground.proxy import views

app_name = "proxy"
urlpatterns = [
    path("", views.index, name="index"),
    path("tail/", views.tail, name="tail"),
    path("keys/", views.create, name="create"),
    path("keys/<int:key_id>/revoke/", views.revoke, name="revoke"),
    path("keys/<int:key_id>/mode/", views.mode, name="mode"),
]
