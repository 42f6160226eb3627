"""Reading a streamed string delta without building dicts: the accumulator's hot path.

Most events of a long stream are `content_block_delta`s carrying one string (text,
thinking or tool-input JSON). When the data has the API's exact compact spelling, the
string is read with the json module's own scanner and nothing else is built; any other
spelling returns None and goes through `json.loads`. `delta_event` does the same one step
earlier, on a whole event's bytes (the recorder's pass over a stream): the `event:` line,
the `data:` line and the blank line in one match, so the usual event is neither parsed as
SSE nor decoded as a whole. Pure Python, no Django, no I/O.
"""

from __future__ import annotations

import re
from json.decoder import scanstring

# A content_block_delta carrying a string, in the API's exact compact spelling, up to the
# opening quote of the string; and what may follow the string: `}`, `}`, JSON whitespace.
_QUICK_DELTA = re.compile(
    r'\{"type":"content_block_delta","index":(0|[1-9][0-9]*),"delta":\{"type":"'
    r'(text_delta","text|thinking_delta","thinking|input_json_delta","partial_json)":"'
)
_QUICK_TAIL = re.compile(r"\}[ \t\n\r]*\}[ \t\n\r]*\Z")
_QUICK_KINDS = {
    'text_delta","text': "text",
    'thinking_delta","thinking': "thinking",
    'input_json_delta","partial_json': "tool",
}


def quick_delta(data: str) -> tuple[int, str, str] | None:
    """(index, kind, string) for a string delta in the API's exact spelling, read without
    building dicts; None for anything else (json.loads then reads it).

    Equivalent to json.loads for what it accepts: the string goes through the json module's
    own scanner (strict, escapes, surrogates) and only `}`, `}` and whitespace may follow.
    """
    m = _QUICK_DELTA.match(data)
    if m is None:
        return None
    try:
        value, end = scanstring(data, m.end(), True)
    except ValueError:
        return None
    if data[end:] != "}}" and _QUICK_TAIL.match(data, end) is None:
        return None
    return int(m.group(1)), _QUICK_KINDS[m.group(2)], value


# One whole string-delta event in the API's exact spelling (LF line endings, nothing else
# on its lines): index, delta kind and the string literal's body (bytes between the
# quotes). A literal is runs of bytes other than quote, backslash and control characters,
# or backslash escapes; the json scanner validates the escapes.
_DELTA_EVENT = re.compile(
    rb'event: content_block_delta\ndata: \{"type":"content_block_delta","index":(0|[1-9][0-9]{0,8}),'
    rb'"delta":\{"type":"(text_delta","text|thinking_delta","thinking|input_json_delta","partial_json)":"'
    rb'((?:[^"\\\x00-\x1f]++|\\[^\x00-\x1f])*+)"\}\}\n\n'
)
_BYTE_KINDS = {k.encode(): v for k, v in _QUICK_KINDS.items()}


def delta_event(buf: bytes, pos: int) -> tuple[int, int, str, str] | None:
    """(end, index, kind, string) when a whole string-delta event in the API's exact
    spelling starts at `buf[pos]`; None for anything else (the SSE parser then reads it).

    What it accepts, it reads as the parser and `quick_delta` would: the string must be
    UTF-8 and its escapes valid JSON (the json module's own scanner reads them).
    """
    m = _DELTA_EVENT.match(buf, pos)
    if m is None:
        return None
    literal = m.group(3)
    try:
        text = literal.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if b"\\" in literal:
        quoted = text + '"'
        try:
            text, end = scanstring(quoted, 0, True)
        except ValueError:
            return None
        if end != len(quoted):
            return None
    return m.end(), int(m.group(1)), _BYTE_KINDS[m.group(2)], text
