"""Where each finding of the validator comes from: the public report or API document that
shows the API giving that verdict.

Every message the validator can produce contains the `text` of one entry here (a stable part
of it, without the values it quotes). `tests/contract/test_validate_sources.py` reads the
validator's source and fails when a finding has no entry, or an entry no URL, so a rule
cannot be added without the report it rests on.

Kinds:
- `report`: a public issue or pull request that quotes the API's answer (the wording is the
  API's own).
- `docs`: the API's documentation states the rule or the limit.
- `sdk`: the official SDK's request types (required fields, types, literal values, union
  tags); the drift test keeps the validator in step with them.
- `validator`: a warning about this validator itself (a bound it stopped at, a shape or model
  it does not know): no claim about the API, so never an error. Its source is this
  project's policy (docs/contract.md).
"""

from __future__ import annotations

from dataclasses import dataclass

POLICY = "docs/contract.md#what-the-validator-cannot-know"
_DOCS = "https://platform.claude.com/docs/en"
_SDK = "https://github.com/anthropics/anthropic-sdk-python/blob/main/src/anthropic/types/"
_SDK_PARAMS = _SDK + "message_create_params.py"


@dataclass(frozen=True)
class Source:
    text: str  # a literal part of every message of this finding
    kind: str  # "report" | "docs" | "sdk" | "validator"
    url: str


def _report(text: str, url: str) -> Source:
    return Source(text, "report", url)


def _docs(text: str, path: str) -> Source:
    return Source(text, "docs", f"{_DOCS}/{path}")


def _ours(text: str) -> Source:
    return Source(text, "validator", POLICY)


SOURCES: tuple[Source, ...] = (
    # -- schema errors (pydantic's wording, which the API prints after the dotted path) --
    # the SDK's request types say which fields are required, which types and literals they
    # take; the API answers a mismatch in pydantic's words after the dotted path
    Source("Field required", "sdk", _SDK_PARAMS),
    _report("Extra inputs are not permitted", "https://github.com/anthropics/claude-code/issues/4378"),
    _report("Input should be a valid", "https://github.com/x3n0cr4735/celi/issues/91"),
    _report("Input should be greater than or equal to",
            "https://github.com/danny-avila/LibreChat/issues/8346"),
    _report("Input should be less than or equal to",
            "https://github.com/danny-avila/LibreChat/issues/8346"),
    Source("Input should be greater than 0", "sdk", _SDK_PARAMS),
    Source("Input should be ", "sdk", _SDK_PARAMS),  # literal choices
    Source("does not match any of the expected tags", "sdk", _SDK_PARAMS),
    Source("Unable to extract tag using discriminator", "sdk", _SDK_PARAMS),
    _report("String should match pattern", "https://github.com/anomalyco/opencode/issues/1279"),
    _report("String should have at most 64 characters",
            "https://github.com/anthropics/claude-code/issues/2326"),
    Source("String should have at least 1 character", "sdk", _SDK_PARAMS),
    Source("List should have at most", "sdk", _SDK_PARAMS),
    _docs("Request exceeds the maximum size", "api/errors"),
    # -- top-level fields --
    _report("at least one message is required",
            "https://github.com/devoxx/DevoxxGenieIDEAPlugin/issues/567"),
    _report("which is the maximum allowed number of output tokens for",
            "https://github.com/BerriAI/litellm/issues/8984"),
    # the same report: an output beta (`output-128k-2025-02-19`) raises the limit
    _report("the model's output limit without the output beta you sent",
            "https://github.com/BerriAI/litellm/issues/8984"),
    _report("the official SDKs refuse to send it",
            "https://github.com/anthropics/anthropic-sdk-python/issues/1698"),
    # the SDK's own docstring for metadata.user_id: "Do not include any identifying
    # information such as name, email address, or phone number."
    Source("looks like an email address", "sdk", _SDK + "metadata_param.py"),
    _report("each stop sequence must", "https://github.com/MegaGrindStone/mcp-web-ui/issues/5"),
    _ours("empty system prompt: the API's answer to it is not known to this validator"),
    # -- thinking and sampling --
    _report("`max_tokens` must be greater than `thinking.budget_tokens`",
            "https://github.com/liuw1535/antigravity2api-nodejs/issues/149"),
    _docs("budget_tokens is not below max_tokens", "build-with-claude/extended-thinking"),
    _docs("thinking is not supported for", "about-claude/models/overview"),
    _report("`thinking.type.enabled` is not supported for this model",
            "https://github.com/aaronrussell/anthropix/pull/20"),
    _ours("adaptive thinking is not known to be supported"),
    _report("always thinks", "https://github.com/elidickinson/pi-claude-bridge/pull/29"),
    _report("Thinking may not be enabled when tool_choice forces tool use",
            "https://github.com/mastra-ai/mastra/issues/7507"),
    # the tool use guide: "Claude Mythos Preview does not support forced tool use"
    _docs("does not support forced tool use", "agents-and-tools/tool-use/implement-tool-use"),
    _report("This model does not support the effort parameter",
            "https://github.com/anthropics/claude-code/issues/30795"),
    # capture 18, recorded by pydantic-ai's test suite
    _report("This model does not support effort level",
            "https://github.com/pydantic/pydantic-ai/blob/6f73ae51027802cc8fb952d226e940ada4b2e853/"
            "tests/models/cassettes/test_anthropic/"
            "test_anthropic_explicit_effort_xhigh_unsupported_model_errors.yaml"),
    _ours("structured outputs are not known to be supported"),
    _report("is deprecated for this model", "https://github.com/The-PR-Agent/pr-agent/issues/2456"),
    _report("`temperature` and `top_p` cannot both be specified for this model",
            "https://github.com/Vali-98/ChatterUI/issues/564"),
    _report("`temperature` may only be set to 1 when thinking is enabled",
            "https://github.com/MartialBE/one-hub/issues/529"),
    _report("`top_k` must be unset when thinking is enabled",
            "https://github.com/quarkiverse/quarkus-langchain4j/issues/1812"),
    _docs("`top_p` is only accepted between 0.95 and 1", "build-with-claude/extended-thinking"),
    # -- blocks --
    _report("text content blocks must be non-empty",
            "https://github.com/anthropics/claude-code/issues/53473"),
    _report("text content blocks must contain non-whitespace text",
            "https://github.com/anthropics/claude-code/issues/23440"),
    _report("cache_control cannot be set for empty text blocks",
            "https://github.com/anthropics/claude-code/issues/54013"),
    # which role and which container takes which block: the SDK's param unions
    # (MessageParam content, SystemMessageParam, ToolResultBlockParam content)
    Source("blocks can only be in", "sdk", _SDK_PARAMS),
    Source("blocks are not allowed in", "sdk", _SDK_PARAMS),
    _report("each thinking block must contain thinking",
            "https://github.com/microsoft/vscode/pull/320196"),
    _report("Invalid `signature` in `thinking` block",
            "https://github.com/ding113/claude-code-hub/issues/518"),
    _report("Invalid `data` in `redacted_thinking` block",
            "https://github.com/anthropics/claude-code/issues/56708"),
    # -- media --
    _report("invalid base64 data", "https://github.com/anthropics/anthropic-sdk-typescript/issues/603"),
    _report("base64 data must not include a `data:` URL prefix",
            "https://github.com/felixarntz/ai-services/pull/19"),
    _ours("base64 data contains whitespace or line breaks; whether the API decodes it"),
    _report("image cannot be empty", "https://github.com/anthropics/claude-code/issues/12750"),
    _docs("image exceeds 5 MB maximum", "build-with-claude/vision"),  # 5 MB per image
    _report("Could not process image", "https://github.com/anthropics/claude-code/issues/7399"),
    _report("Image does not match the provided media type",
            "https://github.com/anthropics/claude-code/issues/15746"),
    _report("At least one of the image dimensions exceed max allowed size",
            "https://github.com/anthropics/claude-code/issues/5147"),
    _docs("Too many images", "build-with-claude/vision"),
    _docs("URL sources must be http(s) URLs", "build-with-claude/vision"),
    _docs("PDF pages may be provided", "build-with-claude/pdf-support"),
    _docs("pages most models accept per request", "build-with-claude/pdf-support"),
    _docs("the data does not start like a PDF", "build-with-claude/pdf-support"),
    _report("citations must be enabled on all or none of the documents",
            "https://github.com/UKGovernmentBEIS/inspect_ai/issues/4527"),
    _report("citations cannot be enabled together with structured outputs",
            "https://github.com/agno-agi/agno/issues/7513"),
    # -- tools --
    _report("Tool names must be unique", "https://github.com/microsoft/vscode/issues/278073"),
    _report("tool_choice may only be specified while providing tools",
            "https://github.com/dphnAI/sonar/pull/1143"),
    _docs("not found in `tools`", "agents-and-tools/tool-use/implement-tool-use"),
    _docs("Only one of `allowed_domains` and `blocked_domains` may be set",
          "agents-and-tools/tool-use/web-search-tool"),  # "Domain filtering"
    _ours("newer than this validator, the upstream decides"),
    _docs("Input should be a valid JSON Schema", "agents-and-tools/tool-use/implement-tool-use"),
    _docs("structured outputs need `additionalProperties: false`",
          "build-with-claude/structured-outputs"),
    # -- conversation --
    _report('first message must use the "user" role',
            "https://github.com/lobehub/lobehub/issues/1601"),
    _report("messages: the API merges them into one turn",
            "https://github.com/lobehub/lobehub/issues/1496"),
    _report("`tools` is not defined: older API versions and Bedrock reject this",
            "https://github.com/anthropics/anthropic-sdk-python/issues/494"),
    _report("all messages must have non-empty content except for the optional final assistant "
            "message", "https://github.com/anthropics/claude-code/issues/6774"),
    _report("role 'system' must precede an 'assistant' message or end the array",
            "https://github.com/anthropics/claude-code/issues/73821"),
    _report("When thinking is disabled, an `assistant` message in the final position cannot "
            "contain `thinking`", "https://github.com/tailcallhq/forgecode/issues/1853"),
    _report("final assistant content cannot end with trailing whitespace",
            "https://github.com/tailcallhq/forgecode/issues/1872"),
    _report("This model does not support assistant message prefill",
            "https://github.com/smallmain/vscode-unify-chat-provider/issues/249"),
    _docs("pre-filling the `assistant` response is not supported",
          "build-with-claude/structured-outputs"),
    _report("`tool_use` ids must be unique", "https://github.com/anthropics/claude-code/issues/20901"),
    _report("`tool_use` ids were found without `tool_result` blocks immediately after",
            "https://github.com/anthropics/claude-code/issues/5060"),
    _report("unexpected `tool_use_id` found in `tool_result` blocks",
            "https://github.com/anthropics/claude-code/issues/13460"),
    _report("tool_result block(s) at the beginning of this message",
            "https://github.com/anthropics/claude-code/issues/37"),
    _report("each tool_use must have a single result",
            "https://github.com/Kilo-Org/kilocode/pull/3772"),
    _report("Expected `thinking` or `redacted_thinking`, but found",
            "https://github.com/anomalyco/opencode/issues/3077"),
    # -- caching --
    _report("blocks with cache_control may be provided",
            "https://github.com/tghamm/Anthropic.SDK/issues/50"),
    _report("a ttl='1h' cache_control block must not come after a ttl='5m' cache_control block",
            "https://github.com/cnighswonger/claude-code-cache-fix/issues/44"),
    _docs("cache_control kept on an old turn", "build-with-claude/prompt-caching"),
    # -- this validator's own bounds and knowledge --
    _ours("not known to this validator"),
    _ours("Request nesting is too deep to check"),
    _ours("the validator could not finish checking this request"),
    _ours("not fully checked"),
)


def source_for(message: str) -> Source | None:
    """The most specific entry whose text the message contains, or None."""
    best = None
    for source in SOURCES:
        if source.text in message and (best is None or len(source.text) > len(best.text)):
            best = source
    return best
