from django.urls import path

from playground.composer import views

app_name = "composer"
urlpatterns = [path("", views.playground, name="playground")]
