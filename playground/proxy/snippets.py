""""Connect your app" recipes: the one change each client needs, filled with a base URL.

The key is never put into a snippet: each reads it from an environment variable the user
sets once (`ANTHROPIC_API_KEY`, which the SDKs and most agents read by default).
"""

from __future__ import annotations

import shlex


def snippets(base_url: str) -> list[dict]:
    quoted = shlex.quote(base_url)
    return [
        {
            "id": "python",
            "title": "Python SDK",
            "code": (
                "import anthropic\n\n"
                f'client = anthropic.Anthropic(base_url="{base_url}")  # api_key from ANTHROPIC_API_KEY\n'
                "message = client.messages.create(\n"
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
                f'const client = new Anthropic({{ baseURL: "{base_url}" }}); // apiKey from ANTHROPIC_API_KEY\n'
                "const message = await client.messages.create({\n"
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
                '  -H "x-api-key: $ANTHROPIC_API_KEY" \\\n'
                '  -H "anthropic-version: 2023-06-01" \\\n'
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
                "export ANTHROPIC_API_KEY=<your proxy key>\n"
                "# then start the agent as usual, e.g. a coding agent in this shell\n"
            ),
        },
    ]
