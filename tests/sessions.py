"""A signed-in browser's session, made directly in the database, for tests that open the
app's sockets or pages with a cookie instead of going through the sign-in page."""

from __future__ import annotations

from django.contrib.sessions.backends.db import SessionStore


def session_key_for(user) -> str:
    session = SessionStore()
    session["_auth_user_id"] = str(user.pk)
    session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    session["_auth_user_hash"] = user.get_session_auth_hash()
    session.create()
    return session.session_key
