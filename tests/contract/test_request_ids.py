"""Request ids: the API's shape, never repeated."""

from __future__ import annotations

import re

from playground.contract.errors import new_request_id

SHAPE = re.compile(r"req_011C[1-9A-HJ-NP-Za-km-z]{20}")


def test_it_makes_unique_ids_in_the_api_shape():
    ids = [new_request_id() for _ in range(1000)]
    assert len(set(ids)) == len(ids)
    assert all(SHAPE.fullmatch(request_id) for request_id in ids)
