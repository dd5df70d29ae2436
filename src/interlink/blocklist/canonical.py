"""URL canonicalisation, suffix/prefix expressions and hashing, as Safe Browsing specifies.

Server and client must turn the same address into the same bytes, or a listed domain slips
through unhashed; so both sides use this module and nothing else. The rules follow Google
Safe Browsing v4 "URLs and Hashing":

- canonicalise: strip tab/CR/LF and the fragment, percent-unescape until stable, normalise
  the host (dots, IP address forms, IDN to Punycode, lower case) and the path (``.``, ``..``,
  repeated slashes), then percent-escape bytes <= 0x20, >= 0x7F, ``#`` and ``%`` once;
- expressions: the exact host plus up to four suffixes taken from its last five labels (never
  the top-level label alone, never for an IP address), times the exact path with and without
  its query plus up to four directory prefixes: at most 5 x 6 = 30 strings;
- hash: SHA-256 of each expression; the 4 most significant bytes are its prefix.

Consequence of the five-label rule, which the feed enforces: a listed domain of at most five
labels matches every subdomain at any depth (``a.b.c.d.e.f.listed.example`` is checked as
``listed.example/`` among others); a deeper listed domain would match only itself.
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
from dataclasses import dataclass

import idna

PREFIX_SIZE = 4  # bytes of SHA-256 a provider stores per expression
MAX_HOST_LABELS = 5  # host suffixes are taken from the last five labels only
MAX_HOST_SUFFIXES = 4  # besides the exact host
MAX_PATH_PREFIXES = 4  # "/" plus up to three directories

# Bytes (as latin-1 characters) that the canonical form percent-escapes.
_ESCAPE_TABLE = {code: f"%{code:02X}" for code in range(256) if code <= 0x20 or code >= 0x7F} | {
    ord("#"): "%23",
    ord("%"): "%25",
}
_PERCENT_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")
_CONTROL_CHARS = str.maketrans("", "", "\t\r\n")
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_ASCII_SPACE = " \t\n\r\x0b\x0c"  # str.strip() would also eat octets 0x85 and 0xA0
_PORT = re.compile(r":\d*$")  # an empty port counts as the default one
_DOTS = re.compile(r"\.{2,}")
_POSSIBLE_IPV4 = re.compile(r"(?:0x[0-9a-f]+|[0-9.])+", re.IGNORECASE)
_DOTTED_QUAD = re.compile(r"\d+\.\d+\.\d+\.\d+")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*")
_PORT_AFTER_COLON = re.compile(r"\d+(?:/|$)")
# A lower-case host name with non-empty labels whose last label starts with a letter: it
# cannot be an IP address in any notation and needs no escaping, so it is already canonical.
_PLAIN_HOST = re.compile(r"(?:[a-z0-9_-]+\.)*[a-z][a-z0-9-]*")


class InvalidURL(ValueError):
    """The text has no host that a browser could visit (e.g. ``mailto:x@y``, ``/path``)."""


@dataclass(frozen=True, slots=True)
class CanonicalURL:
    """A canonical URL; ``query`` is None when there is no ``?`` at all."""

    scheme: str
    host: str
    path: str
    query: str | None = None

    def __str__(self) -> str:
        query = "" if self.query is None else "?" + self.query
        return f"{self.scheme}://{self.host}{self.path}{query}"

    def expressions(self) -> list[str]:
        """Every host-suffix x path-prefix expression (at most 30)."""
        paths = path_prefixes(self.path, self.query)
        return [host + path for host in host_suffixes(self.host) for path in paths]


def canonicalize_url(url: str | bytes) -> CanonicalURL:
    """Canonicalise a URL as Safe Browsing does; raise InvalidURL when it has no host.

    ``bytes`` are taken as raw octets (how the Safe Browsing test table writes ``\\x80``);
    ``str`` is encoded as UTF-8 first.
    """
    text = _as_octets(url).strip(_ASCII_SPACE).translate(_CONTROL_CHARS)
    text = _unescape_fully(text.partition("#")[0])
    scheme, rest = _split_scheme(text)
    rest, has_query, query = rest.partition("?")
    if scheme is None:
        scheme = "http"
        # A scheme-relative "//host/path" is read as http, as browsers and other clients do.
        if rest.startswith("//"):
            rest = rest[2:]
    elif rest.startswith("//"):
        rest = rest[2:]
    else:
        raise InvalidURL(f"not a web address: {url!r}")
    raw_host, slash, raw_path = rest.partition("/")
    host = _canonical_host_part(raw_host)
    if not host:
        raise InvalidURL(f"no host in {url!r}")
    return CanonicalURL(
        scheme=_ascii_lower(scheme),
        host=host,
        path=_escape(_clean_path(slash + raw_path)),
        query=_escape(query) if has_query else None,
    )


def canonical_host(host: str) -> str:
    """Canonical form of a bare host name, e.g. as a DNS resolver receives it.

    Defined as the host of ``http://<host>/``. Plain ASCII names skip that pipeline: once
    lower-cased they are provably canonical already, and a resolver checks hundreds of
    thousands a second. A trailing root dot is dropped.
    """
    if host.isascii():
        lowered = host.lower().removesuffix(".")
        if _PLAIN_HOST.fullmatch(lowered):
            return lowered
    return canonicalize_url(f"http://{host}/").host


def host_suffixes(host: str, *, end: str = "") -> list[str]:
    """The exact host, then up to four suffixes from its last five labels, longest first.

    Each is followed by `end`: ``end="/"`` gives the host expressions without a second pass.
    """
    text = host + end
    if _is_ip_literal(host):
        return [text]
    suffixes = []
    dot = host.rfind(".")  # the top-level label is never tried alone
    for _ in range(MAX_HOST_SUFFIXES):
        dot = host.rfind(".", 0, dot)
        if dot < 0:
            break
        suffixes.append(text[dot + 1 :])
    suffixes.append(text)
    suffixes.reverse()
    return suffixes


def path_prefixes(path: str, query: str | None = None) -> list[str]:
    """``/``, up to three directory prefixes, the exact path, and the path with its query."""
    segments = [segment for segment in path.split("/") if segment]
    prefixes = ["/"]
    for depth in range(1, min(len(segments), MAX_PATH_PREFIXES)):
        prefixes.append("/" + "/".join(segments[:depth]) + "/")
    if path != "/":
        prefixes.append(path)
    if query:  # an empty query adds nothing new, as in the reference client
        prefixes.append(f"{path}?{query}")
    return prefixes


def host_expressions(host: str) -> list[str]:
    """Expressions for a host-name-only check: ``suffix/`` for each host suffix."""
    return host_suffixes(canonical_host(host), end="/")


def url_expressions(url: str | bytes) -> list[str]:
    """Expressions for a full URL check (at most 30)."""
    return canonicalize_url(url).expressions()


def full_hash(expression: str) -> bytes:
    """SHA-256 of an expression; canonical expressions are pure ASCII."""
    return hashlib.sha256(expression.encode("ascii")).digest()


def hash_prefix(digest: bytes) -> bytes:
    """The most significant PREFIX_SIZE bytes of a full hash."""
    return digest[:PREFIX_SIZE]


# --- internals -------------------------------------------------------------------------


def _as_octets(url: str | bytes) -> str:
    """One character per byte, so escaping and IDN decoding see the real octets."""
    raw = url if isinstance(url, bytes) else url.encode("utf-8")
    return raw.decode("latin-1")


def _unescape_fully(text: str) -> str:
    """Percent-unescape until nothing changes; each round shortens the text, so it ends."""
    while True:
        unescaped = _PERCENT_ESCAPE.sub(_unescape_one, text)
        if unescaped == text:
            return text
        text = unescaped


def _unescape_one(escape: re.Match[str]) -> str:
    return chr(int(escape.group(1), 16))


def _ascii_lower(text: str) -> str:
    """Lower-case A-Z only: other characters here stand for raw octets, not letters."""
    return text.translate(_ASCII_LOWER)


def _escape(text: str) -> str:
    return text.translate(_ESCAPE_TABLE)


def _split_scheme(text: str) -> tuple[str | None, str]:
    """Split ``scheme:rest``; ``host:port/...`` (digits after the colon) has no scheme."""
    match = _SCHEME.match(text)
    if match is None or not text.startswith(":", match.end()):
        return None, text
    after = text[match.end() + 1 :]
    if _PORT_AFTER_COLON.match(after):
        return None, text
    return match.group(), after


def _canonical_host_part(raw_host: str) -> str:
    host = raw_host.rpartition("@")[2]  # drop user:password@
    host = _PORT.sub("", host)
    if host.startswith("["):
        return _canonical_ipv6(host)
    host = _DOTS.sub(".", host).strip(".")
    if any(ord(char) > 0x80 for char in host):  # 0x80 alone is not Unicode, as in SB
        host = _to_punycode(host)
    ipv4 = _canonical_ipv4(host)
    return ipv4 if ipv4 is not None else _escape(_ascii_lower(host))


def _canonical_ipv6(host: str) -> str:
    literal = host[1:].partition("]")[0]
    try:
        address = ipaddress.IPv6Address(literal)
    except ValueError:
        return _escape(_ascii_lower(host))
    if "." in literal or _embeds_ipv4(address):
        return f"[{_mixed_notation(address)}]"
    return f"[{address.compressed}]"


# Prefixes whose last 32 bits are an IPv4 address (RFC 5952 section 5 writes them dotted):
# IPv4-mapped, the NAT64 well-known prefix; IPv4-compatible (::/96) is handled apart.
_IPV4_EMBEDDING_NETWORKS = (
    ipaddress.IPv6Network("::ffff:0:0/96"),
    ipaddress.IPv6Network("64:ff9b::/96"),
)


def _embeds_ipv4(address: ipaddress.IPv6Address) -> bool:
    if any(address in network for network in _IPV4_EMBEDDING_NETWORKS):
        return True
    # IPv4-compatible ::a.b.c.d, but not :: and ::1, which are IPv6 addresses of their own.
    return int(address) >> 32 == 0 and int(address) > 1


def _mixed_notation(address: ipaddress.IPv6Address) -> str:
    """``x:x:x:x:x:x:d.d.d.d`` with the longest run of zero groups compressed (RFC 5952)."""
    value = int(address)
    groups = [(value >> (16 * (7 - index))) & 0xFFFF for index in range(6)]
    tail = str(ipaddress.IPv4Address(value & 0xFFFFFFFF))
    start, length = -1, 0
    index = 0
    while index < 6:
        if groups[index] == 0:
            end = index
            while end < 6 and groups[end] == 0:
                end += 1
            if end - index > length:
                start, length = index, end - index
            index = end
        else:
            index += 1
    hexes = [f"{group:x}" for group in groups]
    if length < 2:
        return ":".join(hexes) + ":" + tail
    after = hexes[start + length :]
    return ":".join(hexes[:start]) + "::" + (":".join(after) + ":" if after else "") + tail


def _to_punycode(host: str) -> str:
    """IDN labels to Punycode (UTS 46, non-transitional, as browsers resolve them).

    Labels that are not valid UTF-8 or not valid IDNA stay as octets, escaped later.
    """
    labels = []
    for label in host.split("."):
        if label.isascii():
            labels.append(label)
            continue
        try:
            text = label.encode("latin-1").decode("utf-8")
            labels.append(idna.encode(text, uts46=True, transitional=False).decode("ascii"))
        except (UnicodeError, idna.IDNAError):
            labels.append(label)
    return ".".join(labels)


def _canonical_ipv4(host: str) -> str | None:
    """Dotted-decimal form of any legal IPv4 notation (octal, hex, 1-4 parts), else None.

    As in Safe Browsing's reference client, the last part fills the remaining bytes and
    each earlier part keeps its low byte.
    """
    if not _POSSIBLE_IPV4.fullmatch(host):
        return None
    parts = host.split(".")
    if len(parts) > 4:
        return None
    octets: list[int] = []
    for index, part in enumerate(parts):
        value = _parse_ip_number(part)
        if value is None:
            return None
        width = 5 - len(parts) if index == len(parts) - 1 else 1
        octets.extend((value >> (8 * shift)) & 0xFF for shift in range(width - 1, -1, -1))
    return ".".join(map(str, octets))


def _parse_ip_number(part: str) -> int | None:
    try:
        if part[:2].lower() == "0x":
            value = int(part[2:], 16)
        elif part.startswith("0") and len(part) > 1:
            value = int(part, 8)
        else:
            value = int(part, 10)
    except ValueError:
        return None
    return value if value < 2**32 else None


def _clean_path(path: str) -> str:
    """Resolve ``.`` and ``..`` and collapse slashes; keep a trailing slash."""
    segments: list[str] = []
    raw_segments = path.split("/")
    for segment in raw_segments:
        if segment == "..":
            if segments:
                segments.pop()
        elif segment and segment != ".":
            segments.append(segment)
    cleaned = "/" + "/".join(segments)
    directory_like = raw_segments[-1] in ("", ".", "..")
    if segments and directory_like:
        cleaned += "/"
    return cleaned


def _is_ip_literal(host: str) -> bool:
    return host.startswith("[") or (
        host[-1:].isdigit() and _DOTTED_QUAD.fullmatch(host) is not None
    )
