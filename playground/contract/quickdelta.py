"""Reading a streamed string delta without building dicts: the accumulator's hot path.

Most events of a long stream are `content_block_delta`s carrying one string (text,
thinking or tool-input JSON). When the data has the API's exact compact spelling, the
string is read with the json module's own scanner and nothing else is built; any other
spelling returns None and goes through `json.loads`. Pure Python, no Django, no I/O.
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
