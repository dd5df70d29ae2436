"""Attachments: count, size and type, checked against the content itself."""

from __future__ import annotations

import pytest

from interlink.core.errors import InvalidInput
from interlink.messaging.attachments import (
    MAX_ATTACHMENT_BYTES,
    MAX_ATTACHMENTS,
    NewAttachment,
    check_attachments,
)

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF"


@pytest.mark.parametrize(
    ("content_type", "content"),
    [
        ("application/pdf", PDF),
        ("image/png", PNG),
        ("image/jpeg", JPEG),
        ("text/plain", "Nom: Ünal, Karim\n".encode()),
        ("text/csv", b"a,b\n1,2\r\n"),
        ("application/PDF; charset=binary", PDF),
    ],
)
def test_accepted_when_the_content_agrees(content_type: str, content: bytes) -> None:
    [checked] = check_attachments([NewAttachment("file", content_type, content)])
    assert checked.content_type == content_type.split(";")[0].lower()


@pytest.mark.parametrize(
    ("content_type", "content", "why"),
    [
        ("application/pdf", PNG, "not application/pdf"),
        ("image/png", b"MZ\x90\x00 executable", "not image/png"),
        ("text/plain", b"\x00\x01binary", "not text/plain"),
        ("text/plain", b"\xff\xfe not utf-8", "not text/plain"),
        ("application/x-msdownload", b"MZ\x90\x00", "not accepted"),
        ("application/zip", b"PK\x03\x04", "not accepted"),
        ("", PDF, "not accepted"),
        ("text/plain", b"", "empty"),
    ],
)
def test_refused_when_type_or_content_is_wrong(content_type: str, content: bytes, why: str) -> None:
    with pytest.raises(InvalidInput, match=why):
        check_attachments([NewAttachment("file", content_type, content)])


def test_size_and_count_limits() -> None:
    big = b"a" * (MAX_ATTACHMENT_BYTES + 1)
    with pytest.raises(InvalidInput, match="larger"):
        check_attachments([NewAttachment("big.txt", "text/plain", big)])
    just = b"a" * MAX_ATTACHMENT_BYTES
    assert check_attachments([NewAttachment("ok.txt", "text/plain", just)])
    many = [NewAttachment(f"{i}.txt", "text/plain", b"x") for i in range(MAX_ATTACHMENTS + 1)]
    with pytest.raises(InvalidInput, match="at most"):
        check_attachments(many)


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\x\\report.pdf", "report.pdf"),
        ("bad\r\nheader.txt", "badheader.txt"),
        ("  name.txt. ", "name.txt"),
    ],
)
def test_file_names_lose_paths_and_control_characters(raw: str, clean: str) -> None:
    [checked] = check_attachments([NewAttachment(raw, "text/plain", b"x")])
    assert checked.filename == clean


@pytest.mark.parametrize("raw", ["", "...", "/", "\r\n"])
def test_a_name_is_required(raw: str) -> None:
    with pytest.raises(InvalidInput, match="file name"):
        check_attachments([NewAttachment(raw, "text/plain", b"x")])
