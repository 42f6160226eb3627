from django.urls import path

from playground.providers import views

app_name = "providers"

urlpatterns = [
    path("", views.provider_list, name="list"),
    path("new/", views.provider_new, name="new"),
    path("check-url/", views.check_url, name="check_url"),
    path("<slug:name>/", views.provider_edit, name="edit"),
    path("<slug:name>/key/", views.provider_rotate_key, name="rotate_key"),
    path("<slug:name>/test/", views.provider_test, name="test"),
]
