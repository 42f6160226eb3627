"""The run-socket tests' fixture: the recorder settles before the test database goes."""

from __future__ import annotations

import pytest


@pytest.fixture
async def settle_recording(transactional_db):
    """After the test, wait until the recorder wrote everything, before the database goes."""
    from playground import recording

    yield
    await recording.flush()
