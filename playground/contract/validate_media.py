"""Image and document sources: source types, media types, base64 validity, size and image
dimension limits.

Policy (MESSAGES_API.md §3.3-3.4): an image's base64 payload may be at most 5 MB
(5,242,880 bytes, measured on the base64 text as the API does); its first bytes must be
the format its `media_type` names; its sides at most 8000 px, or 2000 px when the request
carries more than 20 images. Only a short prefix of an image is ever decoded (the header,
or up to 64 KiB for a JPEG's frame marker), so a 5 MB image costs one regex scan for the
base64 alphabet and no full decode. PDFs are decoded once per distinct document to count
their pages (at most 100 per request).
"""

from __future__ import annotations

import base64
import binascii
import re
import struct

from playground.contract import catalogue
from playground.contract.validate_base import Ctx, check_keys, check_literal, check_type

IMAGE_MAX_BYTES = 5 * 1024 * 1024
MAX_PDF_PAGES = 100
MAX_SIDE = 8000
MANY_IMAGES = 20
MANY_IMAGES_MAX_SIDE = 2000
IMAGE_MEDIA_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp")
_B64 = re.compile(r"[A-Za-z0-9+/]*={0,2}")
_WS = re.compile(r"\s+")
_JPEG_SCAN_CHARS = 87_384  # base64 chars for 64 KiB


def _tag_error(ctx: Ctx, loc: tuple, api: tuple, kind: object, tags: tuple) -> None:
    if kind is None:
        ctx.error(loc, "Unable to extract tag using discriminator 'type'", api)
    else:
        listed = ", ".join(f"'{t}'" for t in tags)
        (ctx.unknown if isinstance(kind, str) else ctx.error)(loc, f"Input tag '{kind}' found using 'type' does not match any of the "
                  f"expected tags: {listed}", api)


def _source_kind(ctx: Ctx, source: object, loc: tuple, api: tuple, base_tags: tuple) -> str | None:
    """The source's `type` when it is one of `base_tags` or `file`; else None, with a
    finding. (`file` sources are in the SDK's stable types since 2.x: no beta needed.)"""
    if not check_type(ctx, source, "dict", loc, api):
        return None
    kind = source.get("type")
    tags = (*base_tags, "file")
    if kind not in tags:
        _tag_error(ctx, loc, api, kind, tags)
        return None
    return kind


def check_base64(ctx: Ctx, data: object, loc: tuple, api: tuple) -> str | None:
    """The payload if it is valid base64 text, else None (with a finding)."""
    if not check_type(ctx, data, "str", loc, api):
        return None
    if data.startswith("data:"):
        ctx.error(loc, "base64 data must not include a `data:` URL prefix; send only the "
                  "part after the comma", api)
        return None
    ctx.media_bytes += len(data)
    if len(data) % 4 == 0 and _B64.fullmatch(data):
        return data
    stripped = _WS.sub("", data)
    if len(stripped) % 4 == 0 and _B64.fullmatch(stripped):
        ctx.warn(loc, "base64 data contains whitespace or line breaks; whether the API decodes "
                 "it is not known to this validator: strip them")
        return stripped
    # the API's answer names the source, not its `data` (`...image.source.base64: invalid
    # base64 data`, anthropics/anthropic-sdk-typescript#603)
    ctx.error(loc, "invalid base64 data", api[:-1] if api and api[-1] == "data" else api)
    return None


def _decode_prefix(data: str, chars: int) -> bytes:
    chars -= chars % 4
    try:
        return base64.b64decode(data[:chars])
    except (binascii.Error, ValueError):
        return b""


def sniff_image(head: bytes) -> str | None:
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


def image_size(kind: str, data: str) -> tuple[int | None, int | None]:
    """(width, height) from the image header, or (None, None) when not found."""
    head = _decode_prefix(data, 64)
    try:
        if kind == "image/png" and len(head) >= 24:
            return struct.unpack(">II", head[16:24])
        if kind == "image/gif" and len(head) >= 10:
            return struct.unpack("<HH", head[6:10])
        if kind == "image/webp" and len(head) >= 30:
            chunk = head[12:16]
            if chunk == b"VP8X":
                w = int.from_bytes(head[24:27], "little") + 1
                h = int.from_bytes(head[27:30], "little") + 1
                return w, h
            if chunk == b"VP8 ":
                w, h = struct.unpack("<HH", head[26:30])
                return w & 0x3FFF, h & 0x3FFF
            if chunk == b"VP8L":
                bits = int.from_bytes(head[21:25], "little")
                return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
        if kind == "image/jpeg":
            return _jpeg_size(_decode_prefix(data, _JPEG_SCAN_CHARS))
    except (struct.error, ValueError):
        pass
    return None, None


def _jpeg_size(buf: bytes) -> tuple[int | None, int | None]:
    i = 2
    while i + 9 < len(buf):
        if buf[i] != 0xFF:
            return None, None
        marker = buf[i + 1]
        if marker == 0xFF:
            i += 1
            continue
        length = int.from_bytes(buf[i + 2:i + 4], "big")
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            h, w = struct.unpack(">HH", buf[i + 5:i + 9])
            return w, h
        i += 2 + length
    return None, None


def check_image_source(ctx: Ctx, source: object, loc: tuple, api: tuple) -> None:
    kind = _source_kind(ctx, source, loc, api, ("base64", "url"))
    if kind is None:
        return
    sapi = (*api, kind)
    if kind in ("url", "file"):
        _check_reference(ctx, source, kind, loc, sapi)
        return
    check_keys(ctx, source, frozenset({"type", "media_type", "data"}), loc, sapi,
               required=("media_type", "data"))
    media_type = source.get("media_type")
    if media_type is not None and not check_literal(
        ctx, media_type, IMAGE_MEDIA_TYPES, (*loc, "media_type"), (*sapi, "media_type")
    ):
        media_type = None
    if "data" not in source:
        return
    dloc, dapi = (*loc, "data"), (*sapi, "data")
    data = check_base64(ctx, source["data"], dloc, dapi)
    if data is None:
        return
    if not data:
        ctx.error(dloc, "image cannot be empty", dapi)
        return
    if len(data) > IMAGE_MAX_BYTES:
        # real answers locate this at the source (`...image.source.base64: image exceeds`)
        ctx.error(dloc, f"image exceeds 5 MB maximum: {len(data)} bytes > {IMAGE_MAX_BYTES} "
                  "bytes", sapi)
        return
    actual = sniff_image(_decode_prefix(data, 16))
    if actual is None:
        ctx.error(dloc, "Could not process image", dapi)
        return
    if media_type is not None and actual != media_type:
        ctx.error(dloc, f"Image does not match the provided media type {media_type}", dapi)
    width, height = image_size(actual, data)
    ctx.images.append((loc, dapi, width, height))


def _check_reference(ctx: Ctx, source: dict, kind: str, loc: tuple, sapi: tuple) -> None:
    """A `url` or `file` source, alike for images and documents."""
    if kind == "url":
        check_keys(ctx, source, frozenset({"type", "url"}), loc, sapi, required=("url",))
        url = source.get("url")
        if url is None or not check_type(ctx, url, "str", (*loc, "url"), (*sapi, "url")):
            return
        if not url.startswith(("https://", "http://")):
            ctx.warn((*loc, "url"), "URL sources must be http(s) URLs the API can fetch")
        return
    check_keys(ctx, source, frozenset({"type", "file_id"}), loc, sapi, required=("file_id",))
    if "file_id" in source:
        check_type(ctx, source["file_id"], "str", (*loc, "file_id"), (*sapi, "file_id"))


_PAGE = re.compile(rb"/Type\s*/Page(?![a-zA-Z])")
_page_cache: dict[tuple, int] = {}


def pdf_pages(data: str) -> int:
    """Pages of a base64 PDF, counted from its `/Type /Page` objects.

    Pages inside compressed object streams are not seen, so this can only under-count. The
    payload is decoded once per distinct document: counts are cached by size and both ends."""
    key = (len(data), data[:96], data[-96:])
    if key not in _page_cache:
        try:
            count = len(_PAGE.findall(base64.b64decode(data)))
        except (binascii.Error, ValueError):
            count = 0
        if len(_page_cache) > 64:
            _page_cache.clear()
        _page_cache[key] = count
    return _page_cache[key]


def check_pdfs(ctx: Ctx) -> None:
    """At most 100 PDF pages per request (models with a 200K context; a warning for others)."""
    total = sum(pages for _, _, pages in ctx.pdf_pages)
    if total <= MAX_PDF_PAGES:
        return
    loc, api, _ = ctx.pdf_pages[-1]
    context, _ = catalogue.model_limits(ctx.model_id) if ctx.model_id else (None, None)
    if context is not None and context <= 200_000:
        ctx.error(loc, f"A maximum of {MAX_PDF_PAGES} PDF pages may be provided.", "")
    else:
        ctx.warn(loc, f"{total} PDF pages: more than the {MAX_PDF_PAGES} pages most models "
                 "accept per request")


def check_documents(ctx: Ctx) -> None:
    """Request-wide rules for document blocks, once every block has been seen.

    Citations are on for all documents or for none ("Currently, citations must be enabled on
    all or none of the documents within a request", the citations guide, quoted in
    UKGovernmentBEIS/inspect_ai#4527), and never with structured outputs (a 400:
    agno-agi/agno#7513, anthropics/claude-code#19417)."""
    on = [loc for loc, enabled in ctx.documents if enabled]
    if not on:
        return
    off = [loc for loc, enabled in ctx.documents if not enabled]
    if off:
        ctx.error(off[0], "citations must be enabled on all or none of the documents in a "
                  "request", "")
    if ctx.output_format:
        ctx.error((*on[0], "citations"), "citations cannot be enabled together with "
                  "structured outputs (`output_config.format`)", "")


def check_images(ctx: Ctx) -> None:
    """Request-wide image limits, once every block has been seen."""
    images = ctx.images
    if not images:
        return
    limit = ctx.model["max_images"] if ctx.model else None
    if limit is not None and len(images) > limit:
        ctx.error(images[limit][0], f"Too many images: {len(images)} > {limit}, the maximum "
                  "for this model", "")
    many = len(images) > MANY_IMAGES
    for loc, api, width, height in images:
        if width is None or height is None:
            continue
        side = max(width, height)
        if side > MAX_SIDE:
            ctx.error(loc, "At least one of the image dimensions exceed max allowed size: "
                      f"{MAX_SIDE} pixels", api)
        elif many and side > MANY_IMAGES_MAX_SIDE:
            ctx.error(loc, "At least one of the image dimensions exceed max allowed size for "
                      f"many-image requests: {MANY_IMAGES_MAX_SIDE} pixels", api)


def check_document_source(ctx: Ctx, source: object, loc: tuple, api: tuple, check_block) -> None:
    kind = _source_kind(ctx, source, loc, api, ("base64", "text", "content", "url"))
    if kind is None:
        return
    sapi = (*api, kind)
    if kind in ("url", "file"):
        _check_reference(ctx, source, kind, loc, sapi)
    elif kind == "content":
        check_keys(ctx, source, frozenset({"type", "content"}), loc, sapi, required=("content",))
        content = source.get("content")
        if isinstance(content, str) or content is None:
            return
        if check_type(ctx, content, "list", (*loc, "content"), (*sapi, "content")):
            for i, block in enumerate(content):
                check_block(ctx, block, "document_source", (*loc, "content", i),
                            (*sapi, "content", i))
    else:
        media = "application/pdf" if kind == "base64" else "text/plain"
        check_keys(ctx, source, frozenset({"type", "media_type", "data"}), loc, sapi,
                   required=("media_type", "data"))
        if "media_type" in source:
            check_literal(ctx, source["media_type"], (media,), (*loc, "media_type"),
                          (*sapi, "media_type"))
        if "data" not in source:
            return
        dloc, dapi = (*loc, "data"), (*sapi, "data")
        if kind == "text":
            check_type(ctx, source["data"], "str", dloc, dapi)
            return
        data = check_base64(ctx, source["data"], dloc, dapi)
        if data is None:
            return
        # PDF readers accept up to 1 KiB of junk before the `%PDF` header
        if b"%PDF" not in _decode_prefix(data, 1400)[:1024]:
            ctx.warn(dloc, "the data does not start like a PDF (`%PDF`); the API may answer "
                     "that it could not process the document")
            return
        ctx.pdf_pages.append((dloc, dapi, pdf_pages(data)))
