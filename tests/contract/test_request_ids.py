"""Request ids: the API's shape, never repeated, also across a fork (ids come in batches)."""

from __future__ import annotations

import os
import re

from playground.contract.errors import new_request_id

SHAPE = re.compile(r"req_011C[1-9A-HJ-NP-Za-km-z]{20}")


def test_it_makes_unique_ids_in_the_api_shape():
    ids = [new_request_id() for _ in range(1000)]  # many batches
    assert len(set(ids)) == len(ids)
    assert all(SHAPE.fullmatch(request_id) for request_id in ids)


def test_a_forked_child_never_hands_out_its_parents_ids():
    new_request_id()  # the parent now holds the rest of a batch
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: one id, then out without running any cleanup
        os.write(write_end, new_request_id().encode())
        os._exit(0)
    os.close(write_end)
    os.waitpid(pid, 0)
    child_id = os.read(read_end, 100).decode()
    os.close(read_end)
    assert SHAPE.fullmatch(child_id)
    assert child_id not in {new_request_id() for _ in range(64)}
