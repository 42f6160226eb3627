"""Turn pasted text (a request body or a curl command) into composer state.

Pure Python, no Django, no I/O. A curl command is split with `shlex` (the inverse of the
`shlex.join`/`shlex.quote` used by code generation), never evaluated. Policy:

- Only the body and the headers that change behaviour are kept: `anthropic-version`,
  `anthropic-beta` and the simulator's `x-sim-*`. Credentials (`x-api-key`,
  `authorization`...) are dropped on the spot, so a pasted key never reaches a draft,
  a page or a log.
- A body read from a file (`-d @file`) cannot be imported: the error says so.
- Every failure is an ImportFailure with a message fit to show inline.
"""

from __future__ import annotations

import json
import shlex

KEPT_HEADERS = ("anthropic-version", "anthropic-beta")
SIM_PREFIX = "x-sim-"
DATA_FLAGS = frozenset({"-d", "--data", "--data-raw", "--data-binary", "--data-ascii", "--json"})
HEADER_FLAGS = frozenset({"-H", "--header"})
# Flags that take a value we do not use: skip the value too, so it is not read as the URL.
VALUE_FLAGS = frozenset(
    {"-X", "--request", "-u", "--user", "-o", "--output", "-m", "--max-time", "-A",
     "--user-agent", "--connect-timeout", "-e", "--referer", "-b", "--cookie", "-x", "--proxy"}
)


class ImportFailure(ValueError):
    """The pasted text is not a request body or a usable curl command."""


def parse_pasted(text: str) -> dict:
    """{"request": body, "headers": {...}, "url": str | None} from a body or a curl command."""
    stripped = text.strip()
    if not stripped:
        raise ImportFailure("nothing to import: paste a request body or a curl command")
    if stripped.startswith("curl"):
        return parse_curl(stripped)
    return {"request": _body(stripped, "the pasted text"), "headers": {}, "url": None}


def parse_curl(command: str) -> dict:
    # A backslash-newline continues the line in a shell; shlex would keep the newline.
    joined = command.replace("\\\r\n", " ").replace("\\\n", " ")
    try:
        words = shlex.split(joined)
    except ValueError as exc:
        raise ImportFailure(f"cannot read the curl command: {exc}") from None
    if not words or words[0] != "curl":
        raise ImportFailure("a curl command starts with `curl`")
    headers: dict[str, str] = {}
    data: str | None = None
    url: str | None = None
    i = 1
    while i < len(words):
        word = words[i]
        flag, inline = _split_flag(word)
        if flag in HEADER_FLAGS or flag in DATA_FLAGS or flag in VALUE_FLAGS:
            if inline is None:
                i += 1
                if i >= len(words):
                    raise ImportFailure(f"{flag} needs a value")
                value = words[i]
            else:
                value = inline
            if flag in HEADER_FLAGS:
                _add_header(headers, value)
            elif flag in DATA_FLAGS:
                if value.startswith("@"):
                    raise ImportFailure(
                        f"the body is read from a file ({value}); paste the JSON body itself"
                    )
                data = value if data is None else data + value
        elif not word.startswith("-"):
            url = word
        i += 1
    if data is None:
        raise ImportFailure("the curl command has no body (-d / --data)")
    return {"request": _body(data, "the curl body"), "headers": headers, "url": url}


def _split_flag(word: str) -> tuple[str, str | None]:
    if word.startswith("--") and "=" in word:
        name, value = word.split("=", 1)
        return name, value
    # Short flags may carry their value glued on: -HName:value, -d{...}
    if len(word) > 2 and word[0] == "-" and word[1] != "-" and word[:2] in ("-H", "-d", "-X"):
        return word[:2], word[2:]
    return word, None


def _add_header(headers: dict[str, str], line: str) -> None:
    name, sep, value = line.partition(":")
    if not sep:
        return
    name = name.strip().lower()
    if name in KEPT_HEADERS or name.startswith(SIM_PREFIX):
        headers[name] = value.strip()


def _body(text: str, where: str) -> dict:
    try:
        body = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFailure(
            f"{where} is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
        ) from None
    if not isinstance(body, dict):
        raise ImportFailure(f"{where} must be a JSON object (a Messages request body)")
    return body
