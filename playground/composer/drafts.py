"""Headers a composer state never keeps.

A working copy, a saved request and anything exported from them may hold request headers
(`anthropic-version`, `anthropic-beta`, the simulator's `x-sim-*`), never credentials:
these names are dropped whenever a state is checked (workcopies.checked and the
library's `state.check_state`). Providers hold their own keys.
"""

from __future__ import annotations

SECRET_HEADERS = frozenset({"x-api-key", "authorization", "cookie", "proxy-authorization"})
