"""Sharing routes: the public pages under /s/, the team's shares and comments."""

from __future__ import annotations

from django.urls import path, re_path

from playground.sharing import views_comments, views_manage, views_public

app_name = "sharing"
urlpatterns = [
    re_path(r"^s/(?P<token>[^/]*)$", views_public.share_page, name="page"),
    re_path(r"^s/(?P<token>[^/]*)/open$", views_public.share_open, name="open"),
    re_path(r"^s/(?P<token>[^/]*)/media/(?P<sha256>[^/]*)/$", views_public.share_media, name="media"),
    # Anything else under /s/ is the same plain 404 as a bad token.
    re_path(r"^s/", views_public.not_found),
    path("shares/", views_manage.share_list, name="list"),
    path("shares/new", views_manage.share_create, name="create"),
    path("shares/<str:public_id>/revoke", views_manage.share_revoke, name="revoke"),
    path("comments/new", views_comments.comment_add, name="comment-add"),
    path("comments/<str:public_id>/delete", views_comments.comment_delete, name="comment-delete"),
]
