"""Any request body comes back exactly from its stored form and the blob store."""

from __future__ import annotations

import base64

from hypothesis import given, settings
from hypothesis import strategies as st

from playground.recording import media

_payload = st.one_of(
    st.binary(min_size=0, max_size=20000).map(lambda b: base64.b64encode(b).decode()),
    st.text(min_size=0, max_size=12000),  # not base64 at all
    st.binary(min_size=7000, max_size=9000).map(lambda b: base64.encodebytes(b).decode()),
)
_source = st.builds(
    lambda data, mt: {"type": "base64", "media_type": mt, "data": data},
    _payload,
    st.sampled_from(["image/png", "application/pdf", "", "image/jpeg"]),
)
_json = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=20), _source),
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)


@settings(max_examples=60, deadline=None)
@given(_json)
def test_it_gives_back_every_body_exactly(body):
    stored, blobs = media.extract_media(body)
    assert media.rehydrate(stored, lambda shas: {s: blobs[s][1] for s in shas}) == body
    for ref in media.refs_in(stored):
        assert ref["bytes"] == len(blobs[ref["$blob"]][1])
