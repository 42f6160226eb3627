"""Routes of accounts (sign in/out), teams (switch, new, members) and invite links."""

from __future__ import annotations

from django.urls import path

from playground.teams import views_auth, views_invites, views_teams

app_name = "teams"
urlpatterns = [
    path("accounts/login/", views_auth.sign_in, name="sign_in"),
    path("accounts/logout/", views_auth.sign_out, name="sign_out"),
    path("teams/", views_teams.members_page, name="members"),
    path("teams/switch/", views_teams.switch, name="switch"),
    path("teams/new/", views_teams.new_team, name="new"),
    path("teams/leave/", views_teams.leave, name="leave"),
    path("teams/members/add/", views_teams.add, name="add"),
    path("teams/members/invite/", views_teams.invite, name="invite"),
    path("teams/members/<int:membership_id>/role/", views_teams.set_role, name="role"),
    path("teams/members/<int:membership_id>/remove/", views_teams.remove, name="remove"),
    path("teams/invites/<int:invite_id>/revoke/", views_teams.revoke_invite, name="revoke_invite"),
    path("invites/<str:token>/", views_invites.accept, name="accept"),
]
