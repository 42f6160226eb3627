"""Image and document sources: media types, base64, size and dimension limits, betas."""

from __future__ import annotations

import base64
import struct
import zlib

from playground.contract.validate import validate_request


def png(width: int, height: int) -> bytes:
    """A real PNG: signature, IHDR, one compressed scanline of IDAT, IEND."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    idat = zlib.compress(b"\x00" + b"\x00" * min(width, 64))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def jpeg(width: int, height: int) -> bytes:
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    sof0 = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, height, width, 1) + b"\x01\x11\x00"
    return b"\xff\xd8" + app0 + sof0 + b"\xff\xd9"


def gif(width: int, height: int) -> bytes:
    return b"GIF89a" + struct.pack("<HH", width, height) + b"\x00\x00\x00;"


def image(data: bytes | str, media_type: str = "image/png") -> dict:
    if isinstance(data, bytes):
        data = base64.b64encode(data).decode()
    return {"type": "image", "source": {"type": "base64", "media_type": media_type, "data": data}}


def request(*blocks, **fields) -> dict:
    body = {"model": "claude-sonnet-4-5", "max_tokens": 1024,
            "messages": [{"role": "user", "content": [*blocks, {"type": "text", "text": "Describe"}]}]}
    body.update(fields)
    return body


def errors(body, **kw) -> list:
    return [f for f in validate_request(body, **kw) if f.severity == "error"]


def test_it_accepts_real_images():
    body = request(image(png(640, 480)), image(jpeg(800, 600), "image/jpeg"),
                   image(gif(10, 10), "image/gif"),
                   {"type": "image", "source": {"type": "url", "url": "https://example.com/a.png"}})
    assert validate_request(body) == []


def test_it_rejects_unknown_media_types():
    [finding] = errors(request(image(png(1, 1), "image/bmp")))
    assert finding.api_message() == ("messages.0.content.0.image.source.base64.media_type: Input "
                                     "should be 'image/jpeg', 'image/png', 'image/gif' or "
                                     "'image/webp'")


def test_it_rejects_a_media_type_that_does_not_match_the_bytes():
    [finding] = errors(request(image(png(8, 8), "image/jpeg")))
    assert finding.api_message() == ("messages.0.content.0.image.source.base64.data: Image does "
                                     "not match the provided media type image/jpeg")
    assert finding.path == "messages[0].content[0].source.data"


def test_it_rejects_invalid_base64():
    # anthropics/anthropic-sdk-typescript#603: `messages.2.content.0.tool_result.content.0.
    # image.source.base64: invalid base64 data`
    [finding] = errors(request(image("not base64!!")))
    assert finding.api_message() == "messages.0.content.0.image.source.base64: invalid base64 data"


def test_it_rejects_a_data_url_prefix():
    data = "data:image/png;base64," + base64.b64encode(png(1, 1)).decode()
    [finding] = errors(request(image(data)))
    assert "`data:` URL prefix" in finding.message


def test_it_rejects_bytes_that_are_no_image_and_empty_images():
    [finding] = errors(request(image(b"hello world, not an image")))
    assert finding.message == "Could not process image"
    [finding] = errors(request(image("")))
    assert finding.api_message() == ("messages.0.content.0.image.source.base64.data: image "
                                     "cannot be empty")


def test_it_rejects_an_image_over_5_mb_measured_on_the_base64_payload():
    payload = png(100, 100)
    padding = b"\x00" * (4 * 1024 * 1024)  # base64 grows it past 5 MiB
    [finding] = errors(request(image(payload + padding)))
    size = len(base64.b64encode(payload + padding))
    assert finding.api_message() == (f"messages.0.content.0.image.source.base64: image "
                                     f"exceeds 5 MB maximum: {size} bytes > 5242880 bytes")


def test_it_rejects_images_larger_than_8000_pixels():
    [finding] = errors(request(image(png(8001, 100))))
    assert finding.message == ("At least one of the image dimensions exceed max allowed size: "
                               "8000 pixels")
    [finding] = errors(request(image(jpeg(300, 9000), "image/jpeg")))
    assert finding.path == "messages[0].content[0].source"


def test_it_lowers_the_limit_to_2000_pixels_past_20_images():
    images = [image(png(100, 100)) for _ in range(20)] + [image(png(2500, 100))]
    [finding] = errors(request(*images))
    assert finding.api_message() == (
        "messages.0.content.20.image.source.base64.data: At least one of the image dimensions "
        "exceed max allowed size for many-image requests: 2000 pixels")
    assert finding.path == "messages[0].content[20].source"
    assert errors(request(*images[1:])) == []


def test_it_caps_the_number_of_images_for_known_models():
    many = [image(gif(10, 10), "image/gif") for _ in range(101)]
    [finding] = errors(request(*many))
    assert finding.message.startswith("Too many images: 101 > 100")
    assert errors(request(*many, model="claude-opus-4-6")) == []


def test_it_accepts_file_sources_which_the_sdk_types_carry_without_a_beta():
    # anthropic 2.17: FileImageSourceParam and FileDocumentSourceParam are stable types
    block = {"type": "image", "source": {"type": "file", "file_id": "file_011"}}
    assert errors(request(block)) == []
    assert errors(request(block), betas=["files-api-2025-04-14"]) == []
    bad = {"type": "image", "source": {"type": "file"}}
    assert [f.api_message() for f in errors(request(bad))] == [
        "messages.0.content.0.image.source.file.file_id: Field required"]


def test_it_checks_pdf_documents():
    pdf = base64.b64encode(b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF").decode()
    doc = {"type": "document", "source": {"type": "base64", "media_type": "application/pdf",
                                          "data": pdf}}
    assert validate_request(request(doc)) == []
    wrong = {"type": "document", "source": {"type": "base64", "media_type": "application/pdf",
                                            "data": base64.b64encode(b"plain words").decode()}}
    findings = validate_request(request(wrong))
    assert [(f.severity, f.path) for f in findings] == [
        ("warning", "messages[0].content[0].source.data")]
    bad = {"type": "document", "source": {"type": "base64", "media_type": "text/plain",
                                          "data": pdf}}
    [finding] = errors(request(bad))
    assert finding.api_message() == ("messages.0.content.0.document.source.base64.media_type: "
                                     "Input should be 'application/pdf'")


def test_it_rejects_images_in_assistant_turns():
    body = request(image(png(1, 1)))
    body["messages"].append({"role": "assistant", "content": [image(png(1, 1))]})
    [finding] = errors(body)
    assert finding.api_message() == "messages.1: `image` blocks can only be in `user` messages"


def test_it_applies_the_32_mb_cap_to_bodies_built_in_memory():
    # eight 4.5 MB images: each under the per-image cap, together over the request cap
    data = base64.b64encode(png(100, 100) + b"\x00" * (3 * 1024 * 1024 + 300_000)).decode()
    images = [image(data) for _ in range(8)]
    findings = [f for f in validate_request(request(*images)) if f.severity == "error"]
    assert [(f.status, f.error_type, f.message) for f in findings] == [
        (413, "request_too_large", "Request exceeds the maximum size")]
    assert errors(request(*images[:6])) == []


def pdf(pages: int) -> str:
    """A real (uncompressed) PDF with `pages` empty pages."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [" + b" ".join(b"%d 0 R" % (3 + i) for i in range(pages))
               + b"] /Count %d >>" % pages]
    objects += [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>"] * pages
    out, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return base64.b64encode(out).decode()


def document(data: str) -> dict:
    return {"type": "document", "source": {"type": "base64", "media_type": "application/pdf",
                                           "data": data}}


def test_it_counts_pdf_pages_across_the_request():
    assert errors(request(document(pdf(100)))) == []
    [finding] = errors(request(document(pdf(101))))
    assert finding.api_message() == "A maximum of 100 PDF pages may be provided."
    [finding] = errors(request(document(pdf(60)), document(pdf(41))))
    assert finding.path == "messages[0].content[1].source.data"


def test_it_only_warns_about_pdf_pages_for_large_context_models():
    findings = validate_request(request(document(pdf(101)), model="claude-opus-4-6"))
    assert [(f.severity, f.path) for f in findings] == [
        ("warning", "messages[0].content[0].source.data")]
