"""Attachment rules: how many, how large, and which types, checked against the content itself.

A declared type is believed only when the bytes agree: a PDF must start like a PDF, a text
file must be UTF-8 without control characters. Anything else (executables, archives, office
documents with macros) is refused.
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass

from interlink.core.errors import InvalidInput
from interlink.core.i18n import msg

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_ATTACHMENTS = 10
MAX_FILENAME = 200

# Leading bytes of each accepted binary type.
_MAGIC: dict[str, tuple[bytes, ...]] = {
    "application/pdf": (b"%PDF-",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/gif": (b"GIF87a", b"GIF89a"),
    "image/tiff": (b"II*\x00", b"MM\x00*"),
}
_TEXT_TYPES = frozenset({"text/plain", "text/csv"})
ALLOWED_TYPES = frozenset(_MAGIC) | _TEXT_TYPES


@dataclass(frozen=True, slots=True)
class NewAttachment:
    filename: str
    content_type: str
    content: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


def _looks_like_text(content: bytes) -> bool:
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return not any(unicodedata.category(c) == "Cc" and c not in "\t\r\n" for c in text)


def content_matches(content_type: str, content: bytes) -> bool:
    if content_type in _TEXT_TYPES:
        return _looks_like_text(content)
    return any(content.startswith(magic) for magic in _MAGIC.get(content_type, ()))


def clean_filename(name: str) -> str:
    """The last path component, without control characters, so it is safe in a header."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C").strip(" .")
    if not name:
        raise InvalidInput("an attachment needs a file name")
    return name[:MAX_FILENAME]


def check_attachments(attachments: list[NewAttachment]) -> list[NewAttachment]:
    """The attachments, normalised, or InvalidInput naming the first one refused."""
    try:
        return _checked_attachments(attachments)
    except InvalidInput as error:  # said beside the form's file field
        raise InvalidInput(error.detail, field="attachments") from None


def _checked_attachments(attachments: list[NewAttachment]) -> list[NewAttachment]:
    if len(attachments) > MAX_ATTACHMENTS:
        raise InvalidInput(
            msg(
                "at most %(max_attachments)s attachments per message",
                max_attachments=MAX_ATTACHMENTS,
            )
        )
    checked = []
    for item in attachments:
        filename = clean_filename(item.filename)
        content_type = item.content_type.split(";", 1)[0].strip().lower()
        if content_type not in ALLOWED_TYPES:
            raise InvalidInput(
                msg(
                    "%(filename)s: type %(content_type)s is not accepted; accepted: %(accepted)s",
                    filename=filename,
                    content_type=content_type or "unknown",
                    accepted=", ".join(sorted(ALLOWED_TYPES)),
                )
            )
        if not item.content:
            raise InvalidInput(msg("%(filename)s is empty", filename=filename))
        if len(item.content) > MAX_ATTACHMENT_BYTES:
            raise InvalidInput(
                msg(
                    "%(filename)s is larger than %(value)s MiB",
                    filename=filename,
                    value=MAX_ATTACHMENT_BYTES // 2**20,
                )
            )
        if not content_matches(content_type, item.content):
            raise InvalidInput(
                msg(
                    "%(filename)s: the content is not %(content_type)s",
                    filename=filename,
                    content_type=content_type,
                )
            )
        checked.append(NewAttachment(filename, content_type, item.content))
    return checked
