"""Code generation: a recorded request as curl, Python SDK or TypeScript SDK code.

Pure Python, no Django, no I/O. The generated code reproduces the request exactly: the
same JSON values, and every header the request carried except credentials and the
transport's own (so `anthropic-version`, `anthropic-beta`, the simulator's `x-sim-*`
controls and any custom header are all there). Policy:

- Secrets never appear in generated code. The API key is always an environment
  placeholder (`$ANTHROPIC_API_KEY` in shell, `os.environ[...]` in Python,
  `process.env[...]` in TypeScript), whatever the recorded headers held.
- Every value that comes from the recording is quoted with `shlex.quote` (curl) or
  emitted as a literal by `json.dumps` / `repr` (SDKs): never interpolated into a
  hand-written template, so a body holding quotes, `$(...)` or newlines stays data.
- Transport and client headers (user-agent, x-stainless-*, content-length, host...)
  are left out: the client sets its own.
"""

from __future__ import annotations

import json
import shlex

API_KEY_ENV = "ANTHROPIC_API_KEY"
DEFAULT_BASE_URL = "https://api.anthropic.com"

# Headers that carry credentials: replaced by the placeholder, never copied.
SECRET_HEADERS = frozenset(
    {
        "x-api-key", "authorization", "proxy-authorization", "cookie", "set-cookie", "x-playground-key",
        "anthropic-organization-id",
    }
)
REDACTED = "[redacted]"  # what the recorder wrote in place of a secret value
# Headers the HTTP client or the SDK sets itself: left for the client to write.
TRANSPORT_HEADERS = frozenset(
    {
        "host", "content-length", "content-type", "transfer-encoding", "connection", "keep-alive",
        "te", "trailer", "upgrade", "accept", "accept-encoding", "user-agent", "expect",
        "x-forwarded-for", "x-forwarded-proto", "x-forwarded-host", "x-real-ip", "forwarded", "via",
    }
)

# Keyword arguments `client.messages.create` has accepted across SDK releases. Anything
# else in the body travels through `extra_body`, which every release supports, so the
# snippet runs on old and new SDKs alike (newer SDKs dropped `temperature` & co. from the
# signature, for example).
PY_KWARGS = frozenset(
    {
        "model",
        "max_tokens",
        "messages",
        "system",
        "tools",
        "tool_choice",
        "stop_sequences",
        "stream",
        "metadata",
        "thinking",
        "service_tier",
    }
)


def _kept(name: str) -> bool:
    if name in SECRET_HEADERS or name in TRANSPORT_HEADERS:
        return False
    # The SDKs' own telemetry headers; a redacted value is not worth sending back.
    return not name.startswith(("x-stainless-", ":"))


def kept_headers(headers: dict | list | None) -> dict[str, str]:
    """Every header of a request except credentials and the transport's own, lower-cased,
    in their order; `anthropic-version` is always there."""
    items = headers.items() if isinstance(headers, dict) else (headers or [])
    kept: dict[str, str] = {}
    for pair in items:
        if not isinstance(pair, list | tuple) or len(pair) != 2:
            continue
        name, value = str(pair[0]).lower(), str(pair[1])
        if _kept(name) and value != REDACTED:
            # A repeated header is equivalent to one comma-joined header (RFC 9110, 5.3).
            kept[name] = f"{kept[name]},{value}" if name in kept else value
    kept.setdefault("anthropic-version", "2023-06-01")
    return kept


NOTE = ("Reproduces the request exactly: the same body and every header it carried except the key "
        "(read from ANTHROPIC_API_KEY) and those the client sets itself.")


def _endpoint(base_url: str | None, path: str) -> str:
    return (base_url or DEFAULT_BASE_URL).rstrip("/") + path


def _sdk_call(
    body: object, headers: dict | list | None, path: str, count_tokens_method: str
) -> tuple[dict, dict[str, str], str, bool]:
    """What both SDK snippets need: the body as a dict, the headers to send, the method to
    call and whether its answer is a stream to iterate.

    The recorded anthropic-version is among the headers: SDK releases move their default.
    """
    body = body if isinstance(body, dict) else {}
    method = count_tokens_method if path.endswith("/count_tokens") else "create"
    return body, kept_headers(headers), method, bool(body.get("stream")) and method == "create"


def to_curl(
    body: object,
    headers: dict | list | None = None,
    *,
    base_url: str | None = None,
    path: str = "/v1/messages",
) -> str:
    """A curl command; `shlex.split` of it gives back the exact body as one argument.

    The key header is the only hand-quoted word: double quotes so the shell expands the
    placeholder, and it holds nothing from the recording.
    """
    body_json = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    parts = ["curl", _endpoint(base_url, path), "--no-buffer"]
    lines = [shlex.join(parts)]
    lines.append(f'-H "x-api-key: ${API_KEY_ENV}"')
    for name, value in kept_headers(headers).items():
        lines.append(shlex.join(["-H", f"{name}: {value}"]))
    lines.append(shlex.join(["-H", "content-type: application/json"]))
    lines.append(shlex.join(["--data-binary", body_json]))
    return " \\\n  ".join(lines)


def _fits(value: object, budget: int) -> bool:
    """Whether repr(value) is at most `budget` characters, without building it when big."""
    def size(v: object, left: int) -> int:
        # Stops counting once past `left`: a 20 MB string costs nothing here.
        if isinstance(v, str):
            return len(v) + 2 if len(v) < left else left + 1
        if isinstance(v, dict | list):
            start = left
            pairs = v.items() if isinstance(v, dict) else ((None, item) for item in v)
            for k, item in pairs:
                left -= (size(k, left) if k is not None else 0) + size(item, left) + 4
                if left < 0:
                    break
            return start - left
        return len(repr(v))

    return size(value, budget) <= budget and len(repr(value)) <= budget


def _py_literal(value: object, level: int = 1) -> str:
    """A Python literal for a JSON value, indented like black would, strings kept whole.

    `repr` of JSON values is valid Python (True/False/None, escaped strings), so small
    containers are written on one line; bigger ones one item per line. Long strings are
    never wrapped (pprint would split a 20 MB base64 string into a million lines).
    """
    if not isinstance(value, dict | list) or _fits(value, 72):
        return repr(value)
    pad, end = "    " * (level + 1), "    " * level
    if isinstance(value, dict):
        items = [f"{pad}{k!r}: {_py_literal(v, level + 1)}," for k, v in value.items()]
        return "{\n" + "\n".join(items) + "\n" + end + "}"
    items = [f"{pad}{_py_literal(v, level + 1)}," for v in value]
    return "[\n" + "\n".join(items) + "\n" + end + "]"


def to_python(
    body: object,
    headers: dict | list | None = None,
    *,
    base_url: str | None = None,
    path: str = "/v1/messages",
) -> str:
    """A runnable script using the official `anthropic` Python SDK."""
    body, extra_headers, method, streams = _sdk_call(body, headers, path, "count_tokens")
    kwargs = {k: v for k, v in body.items() if k in PY_KWARGS and k.isidentifier()}
    extra = {k: v for k, v in body.items() if k not in kwargs}

    client_args = [f'api_key=os.environ["{API_KEY_ENV}"]']
    if base_url:
        client_args.append(f"base_url={base_url.rstrip('/')!r}")
    lines = [
        f"# {NOTE}",
        "import os",
        "",
        "import anthropic",
        "",
        f"client = anthropic.Anthropic({', '.join(client_args)})",
        "",
        f"response = client.messages.{method}(",
    ]
    for key, value in kwargs.items():
        lines.append(f"    {key}={_py_literal(value)},")
    if extra:
        lines.append(f"    extra_body={_py_literal(extra)},")
    lines.append(f"    extra_headers={_py_literal(extra_headers)},")
    lines.append(")")
    if streams:
        lines += ["for event in response:", "    print(event.to_json())"]
    else:
        lines.append("print(response.to_json())")
    return "\n".join(lines) + "\n"


def to_typescript(
    body: object,
    headers: dict | list | None = None,
    *,
    base_url: str | None = None,
    path: str = "/v1/messages",
) -> str:
    """An ES module using the official `@anthropic-ai/sdk` TypeScript SDK."""
    body, extra_headers, method, streams = _sdk_call(body, headers, path, "countTokens")
    client_args = [f"apiKey: process.env[{json.dumps(API_KEY_ENV)}]"]
    if base_url:
        client_args.append(f"baseURL: {json.dumps(base_url.rstrip('/'))}")
    # JSON is a valid JS object literal (ES2019+ allows U+2028/U+2029 in strings).
    params = json.dumps(body, indent=2, ensure_ascii=False)
    options = f", {{ headers: {json.dumps(extra_headers)} }}"
    lines = [
        f"// {NOTE}",
        'import Anthropic from "@anthropic-ai/sdk";',
        "",
        f"const client = new Anthropic({{ {', '.join(client_args)} }});",
        "",
        f"const response = await client.messages.{method}({params}{options});",
    ]
    if streams:
        lines += ["for await (const event of response) {", "  console.log(JSON.stringify(event));", "}"]
    else:
        lines.append("console.log(JSON.stringify(response, null, 2));")
    return "\n".join(lines) + "\n"


GENERATORS = {"curl": to_curl, "python": to_python, "typescript": to_typescript}
