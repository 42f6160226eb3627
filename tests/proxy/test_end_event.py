"""The relay knows a stream ended (so it adds no error event) only from a real field line."""

import pytest

from playground.runpath import has_end_event


@pytest.mark.parametrize(
    "piece",
    [
        b"event: message_stop\ndata: {}\n\n",
        b"event: ping\ndata: {}\n\nevent: message_stop\ndata: {}\n\n",
        b"event:message_stop\ndata: {}\n\n",
        b": c\n\nevent: error\r\ndata: {}\r\n\r\n",
        b"event:error\rdata: {}\r\r",
    ],
)
def test_an_end_event_is_seen(piece):
    assert has_end_event(piece)


@pytest.mark.parametrize(
    "piece",
    [
        b'event: content_block_delta\ndata: {"text":"event: message_stop"}\n\n',
        b'data: {"t":"x\\nevent: error"}\n\n',
        b"event: errors\ndata: {}\n\n",
        b"event: message_stopped\ndata: {}\n\n",
        b"xevent: error\n\n",
        b"",
    ],
)
def test_text_that_only_looks_like_one_is_not(piece):
    assert not has_end_event(piece)
