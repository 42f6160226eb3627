""""Connect your app" recipes: the one change each client needs, filled with a base URL.

On the page the key is not in a recipe: each reads it from an environment variable the user
sets once (`ANTHROPIC_API_KEY`, which the SDKs and most agents read by default). Right after a
key is created, and only in that one response, the recipes are shown once more with the new
key written in, ready to paste.
"""

from __future__ import annotations

import shlex


def snippets(base_url: str, api_key: str | None = None) -> list[dict]:
    quoted = shlex.quote(base_url)
    if api_key:
        py_client = f'client = anthropic.Anthropic(base_url="{base_url}", api_key="{api_key}")\n'
        ts_client = f'const client = new Anthropic({{ baseURL: "{base_url}", apiKey: "{api_key}" }});\n'
        curl_key = f"  -H {shlex.quote('x-api-key: ' + api_key)} \\\n"
        env_key = f"export ANTHROPIC_API_KEY={shlex.quote(api_key)}\n"
    else:
        py_client = f'client = anthropic.Anthropic(base_url="{base_url}")  # api_key from ANTHROPIC_API_KEY\n'
        ts_client = f'const client = new Anthropic({{ baseURL: "{base_url}" }}); // apiKey from ANTHROPIC_API_KEY\n'
        curl_key = '  -H "x-api-key: $ANTHROPIC_API_KEY" \\\n'
        env_key = "export ANTHROPIC_API_KEY=<your proxy key>\n"
    return [
        {
            "id": "python",
            "title": "Python SDK",
            "code": (
                "import anthropic\n\n"
                + py_client
                + "message = client.messages.create(\n"
                '    model="sim-1", max_tokens=256,\n'
                '    messages=[{"role": "user", "content": "Hello"}],\n'
                ")\n"
            ),
        },
        {
            "id": "typescript",
            "title": "TypeScript SDK",
            "code": (
                'import Anthropic from "@anthropic-ai/sdk";\n\n'
                + ts_client
                + "const message = await client.messages.create({\n"
                '  model: "sim-1", max_tokens: 256,\n'
                '  messages: [{ role: "user", content: "Hello" }],\n'
                "});\n"
            ),
        },
        {
            "id": "curl",
            "title": "curl",
            "code": (
                f"curl {shlex.quote(base_url + '/v1/messages')} \\\n"
                + curl_key
                + '  -H "anthropic-version: 2023-06-01" \\\n'
                '  -H "content-type: application/json" \\\n'
                "  -d '{\"model\": \"sim-1\", \"max_tokens\": 256, \"stream\": true,\n"
                "       \"messages\": [{\"role\": \"user\", \"content\": \"Hello\"}]}'\n"
            ),
        },
        {
            "id": "env",
            "title": "Agents and tools that read ANTHROPIC_BASE_URL",
            "code": (
                f"export ANTHROPIC_BASE_URL={quoted}\n"
                + env_key
                + "# then start the agent as usual, e.g. a coding agent in this shell\n"
            ),
        },
    ]
