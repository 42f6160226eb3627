"""Request ids: the API's shape, never repeated."""

from __future__ import annotations

import re

from playground.contract.errors import new_request_id

SHAPE = re.compile(r"req_011C[1-9A-HJ-NP-Za-km-z]{20}")


def test_it_makes_unique_ids_in_the_api_shape():
    ids = [new_request_id() for _ in range(1000)]
    assert len(set(ids)) == len(ids)
    assert all(SHAPE.fullmatch(request_id) for request_id in ids)


def test_every_character_of_an_id_is_random():
    # An id made from too few random bits would repeat its leading characters.
    ids = [new_request_id()[len("req_011C"):] for _ in range(2000)]
    for position in range(20):
        assert len({request_id[position] for request_id in ids}) > 50
