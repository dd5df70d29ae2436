"""Canonicalisation, expressions and hashing against Safe Browsing's published examples."""

from __future__ import annotations

import hashlib

import pytest

from interlink.blocklist.canonical import (
    InvalidURL,
    canonical_host,
    canonicalize_url,
    full_hash,
    hash_prefix,
    host_expressions,
    host_suffixes,
    path_prefixes,
    url_expressions,
)

# The complete canonicalisation table of Safe Browsing v4 "URLs and Hashing". The byte
# string stands for the table's raw octets \x01 and \x80.
SAFE_BROWSING_TABLE = [
    ("http://host/%25%32%35", "http://host/%25"),
    ("http://host/%25%32%35%25%32%35", "http://host/%25%25"),
    ("http://host/%2525252525252525", "http://host/%25"),
    ("http://host/asdf%25%32%35asd", "http://host/asdf%25asd"),
    ("http://host/%%%25%32%35asd%%", "http://host/%25%25%25asd%25%25"),
    ("http://www.google.com/", "http://www.google.com/"),
    (
        "http://%31%36%38%2e%31%38%38%2e%39%39%2e%32%36/%2E%73%65%63%75%72%65/"
        "%77%77%77%2E%65%62%61%79%2E%63%6F%6D/",
        "http://168.188.99.26/.secure/www.ebay.com/",
    ),
    (
        "http://195.127.0.11/uploads/%20%20%20%20/.verify/"
        ".eBaysecure=updateuserdataxplimnbqmn-xplmvalidateinfoswqpcmlx=hgplmcx/",
        "http://195.127.0.11/uploads/%20%20%20%20/.verify/"
        ".eBaysecure=updateuserdataxplimnbqmn-xplmvalidateinfoswqpcmlx=hgplmcx/",
    ),
    (
        "http://host%23.com/%257Ea%2521b%2540c%2523d%2524e%25f%255E00%252611%252A22%252833"
        "%252944_55%252B",
        "http://host%23.com/~a!b@c%23d$e%25f^00&11*22(33)44_55+",
    ),
    ("http://3279880203/blah", "http://195.127.0.11/blah"),
    ("http://www.google.com/blah/..", "http://www.google.com/"),
    ("www.google.com/", "http://www.google.com/"),
    ("www.google.com", "http://www.google.com/"),
    ("http://www.evil.com/blah#frag", "http://www.evil.com/blah"),
    ("http://www.GOOgle.com/", "http://www.google.com/"),
    ("http://www.google.com.../", "http://www.google.com/"),
    ("http://www.google.com/foo\tbar\rbaz\n2", "http://www.google.com/foobarbaz2"),
    ("http://www.google.com/q?", "http://www.google.com/q?"),
    ("http://www.google.com/q?r?", "http://www.google.com/q?r?"),
    ("http://www.google.com/q?r?s", "http://www.google.com/q?r?s"),
    ("http://evil.com/foo#bar#baz", "http://evil.com/foo"),
    ("http://evil.com/foo;", "http://evil.com/foo;"),
    ("http://evil.com/foo?bar;", "http://evil.com/foo?bar;"),
    (b"http://\x01\x80.com/", "http://%01%80.com/"),
    ("http://notrailingslash.com", "http://notrailingslash.com/"),
    ("http://www.gotaport.com:1234/", "http://www.gotaport.com/"),
    ("  http://www.google.com/  ", "http://www.google.com/"),
    ("http:// leadingspace.com/", "http://%20leadingspace.com/"),
    ("http://%20leadingspace.com/", "http://%20leadingspace.com/"),
    ("%20leadingspace.com/", "http://%20leadingspace.com/"),
    ("https://www.securesite.com/", "https://www.securesite.com/"),
    ("http://host.com/ab%23cd", "http://host.com/ab%23cd"),
    ("http://host.com//twoslashes?more//slashes", "http://host.com/twoslashes?more//slashes"),
]


@pytest.mark.parametrize(("url", "expected"), SAFE_BROWSING_TABLE)
def test_safe_browsing_canonicalisation_table(url: str | bytes, expected: str) -> None:
    assert str(canonicalize_url(url)) == expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        # IDN to Punycode, UTS 46 non-transitional: "ß" stays distinct, as browsers resolve it.
        ("http://www.\u00fcmlat.com/", "http://www.xn--mlat-zra.com/"),
        (b"http://www.\xc3\xbcmlat.com/", "http://www.xn--mlat-zra.com/"),
        ("http://stra\u00dfe.de/", "http://xn--strae-oqa.de/"),
        ("http://B\u00dcCHER.de/\u00dcber", "http://xn--bcher-kva.de/%C3%9Cber"),
        # userinfo and empty ports go; scheme case does not matter
        ("HTTPS://user:secret@Example.COM:/x", "https://example.com/x"),
        ("http%3A%2F%2Fwackyurl.com:80/", "http://wackyurl.com/"),
        ("http://W!eird<>Ho$^.com/", "http://w!eird<>ho$^.com/"),
        # IPv6 literals are normalised like browsers do
        (
            "http://[FEDC:BA98:7654:3210:FEDC:BA98:7654:3210]:80/i",
            "http://[fedc:ba98:7654:3210:fedc:ba98:7654:3210]/i",
        ),
        ("http://[2001:DB8:0::1]/", "http://[2001:db8::1]/"),
        ("http://[ZZ::1]/", "http://[zz::1]/"),  # not IPv6: only lower-cased
        # an embedded IPv4 address keeps its dotted form, whichever way it was written
        ("http://[::ffff:1.2.3.4]/", "http://[::ffff:1.2.3.4]/"),
        ("http://[::FFFF:102:304]/", "http://[::ffff:1.2.3.4]/"),
        ("http://[0:0:0:0:0:ffff:192.168.0.1]:8080/a", "http://[::ffff:192.168.0.1]/a"),
        ("http://[64:ff9b::c000:221]/", "http://[64:ff9b::192.0.2.33]/"),
        ("http://[::1.2.3.4]/", "http://[::1.2.3.4]/"),
        ("http://[2001:db8:1:2:3:4:1.2.3.4]/", "http://[2001:db8:1:2:3:4:1.2.3.4]/"),
        ("http://[2001:db8::5:1.2.3.4]/", "http://[2001:db8::5:1.2.3.4]/"),
        ("http://[::1]/", "http://[::1]/"),  # loopback is not an IPv4 address
        ("http://[2001:db8::102:304]/", "http://[2001:db8::102:304]/"),  # written in hex
        # a scheme-relative address is read as http
        ("//Example.com:80/a/./b?q", "http://example.com/a/b?q"),
        ("//user@example.com", "http://example.com/"),
        ("http://a.com/a/b/..", "http://a.com/a/"),
        ("http://a.com/foo/.././bar/./../foo.html", "http://a.com/foo.html"),
        ("ftp://ftp.myfiles.com/", "ftp://ftp.myfiles.com/"),
        # no scheme, but a port: the colon does not start a scheme
        ("www.google.com:8080/foo.html", "http://www.google.com/foo.html"),
        ("www.google.com:80", "http://www.google.com/"),
        # octets that are no UTF-8 stay octets
        (b"http://\xff\xfe.com/\xff", "http://%FF%FE.com/%FF"),
    ],
)
def test_canonicalisation_beyond_the_table(url: str | bytes, expected: str) -> None:
    assert str(canonicalize_url(url)) == expected


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("255.0.0.1", "255.0.0.1"),
        ("12.0x12.01234", "12.18.2.156"),
        ("276.2.3", "20.2.0.3"),
        ("012.034.01.055", "10.28.1.45"),
        ("0x12.0x43.0x44.0x01", "18.67.68.1"),
        ("167838211", "10.1.2.3"),
        ("4294967295", "255.255.255.255"),
        # not IP addresses: left as names
        ("4294967296", "4294967296"),
        ("123.123.0.0.1", "123.123.0.0.1"),
        ("1.2.3.00x0", "1.2.3.00x0"),
        ("08.1.1.1", "08.1.1.1"),
    ],
)
def test_ip_address_forms(host: str, expected: str) -> None:
    assert canonicalize_url(f"http://{host}/").host == expected


@pytest.mark.parametrize(
    "url",
    [
        "",
        ":",
        "/blah",
        "#ref",
        "/blah#ref",
        "?query#ref",
        "/blah;param",
        "http://#ref",
        "http:///blah#ref",
        "http://?query#ref",
        "http:///blah;param?query#ref",
        "http://:80/",
        "mailto:bryner@google.com",
        "http:www.google.com:8080/foo.html",
        "//",
        "///path",
    ],
)
def test_addresses_without_a_host_are_refused(url: str) -> None:
    with pytest.raises(InvalidURL):
        canonicalize_url(url)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        # the three examples of the Safe Browsing documentation
        (
            "http://a.b.c/1/2.html?param=1",
            [
                "a.b.c/1/2.html?param=1",
                "a.b.c/1/2.html",
                "a.b.c/",
                "a.b.c/1/",
                "b.c/1/2.html?param=1",
                "b.c/1/2.html",
                "b.c/",
                "b.c/1/",
            ],
        ),
        (
            "http://a.b.c.d.e.f.g/1.html",
            [
                "a.b.c.d.e.f.g/1.html",
                "a.b.c.d.e.f.g/",
                "c.d.e.f.g/1.html",
                "c.d.e.f.g/",
                "d.e.f.g/1.html",
                "d.e.f.g/",
                "e.f.g/1.html",
                "e.f.g/",
                "f.g/1.html",
                "f.g/",
            ],
        ),
        ("http://1.2.3.4/1/", ["1.2.3.4/1/", "1.2.3.4/"]),
        # further cases of the reference client's table
        (
            "http://a.b.c/1/2/3/4/5/",
            [
                *("a.b.c/1/2/3/4/5/", "a.b.c/1/2/3/", "a.b.c/1/2/", "a.b.c/1/", "a.b.c/"),
                *("b.c/1/2/3/4/5/", "b.c/1/2/3/", "b.c/1/2/", "b.c/1/", "b.c/"),
            ],
        ),
        ("http://a.b/?", ["a.b/"]),
        ("http://b/", ["b/"]),
        (
            "http://[2001:470:1:18::114]/a/b",
            ["[2001:470:1:18::114]/a/b", "[2001:470:1:18::114]/a/", "[2001:470:1:18::114]/"],
        ),
    ],
)
def test_suffix_prefix_expressions(url: str, expected: list[str]) -> None:
    assert sorted(url_expressions(url)) == sorted(expected)


def test_at_most_thirty_expressions() -> None:
    expressions = url_expressions("http://a.b.c.d.e.f.g.h/1/2/3/4/5/6.html?x=1")
    assert len(expressions) == 30
    assert len(set(expressions)) == 30


@pytest.mark.parametrize(
    ("path", "query", "expected"),
    [
        ("/a/b/c.html", None, ["/", "/a/", "/a/b/", "/a/b/c.html"]),
        ("/", None, ["/"]),
        (
            "/a/b/c/d/e.html",
            "123",
            ["/", "/a/", "/a/b/", "/a/b/c/", "/a/b/c/d/e.html", "/a/b/c/d/e.html?123"],
        ),
        ("/q", "", ["/", "/q"]),
    ],
)
def test_path_prefixes(path: str, query: str | None, expected: list[str]) -> None:
    assert path_prefixes(path, query) == expected


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("www.google.com", ["www.google.com", "google.com"]),
        ("a.b.c.com", ["a.b.c.com", "b.c.com", "c.com"]),
        (
            "a.b.c.d.e.f.kita.tokyo.jp",
            [
                "a.b.c.d.e.f.kita.tokyo.jp",
                "e.f.kita.tokyo.jp",
                "f.kita.tokyo.jp",
                "kita.tokyo.jp",
                "tokyo.jp",
            ],
        ),
        ("com", ["com"]),
        ("10.1.2.3", ["10.1.2.3"]),
        ("[::1]", ["[::1]"]),
        ("foo.123", ["foo.123"]),  # not an IP address, but the top label is never tried alone
    ],
)
def test_host_suffixes(host: str, expected: list[str]) -> None:
    assert host_suffixes(host) == expected


def test_a_deep_subdomain_still_yields_every_short_suffix() -> None:
    deep = ".".join(f"l{depth}" for depth in range(40)) + ".listed.example"
    assert "listed.example/" in host_expressions(deep)
    assert "l39.listed.example/" in host_expressions(deep)


@pytest.mark.parametrize(
    "host",
    [
        "www.example.com",
        "WWW.Example.COM",
        "example.com.",
        "a_b.example.org",
        "xn--mlat-zra.com",
        "localhost",
        "1.2.3.4",
        "0x7f.1",
        "3279880203",
        "foo.123",
        "..a..b..",
        "\u00fcmlat.com",
        "%61.example",
        "[::1]",
    ],
)
def test_canonical_host_equals_the_host_of_the_canonical_url(host: str) -> None:
    assert canonical_host(host) == canonicalize_url(f"http://{host}/").host


@pytest.mark.parametrize(
    ("text", "prefix"),
    [
        ("abc", "ba7816bf"),  # FIPS 180-2, example B1, as quoted by Safe Browsing
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61"),
    ],
)
def test_hash_prefix_is_the_leading_four_bytes_of_sha256(text: str, prefix: str) -> None:
    digest = full_hash(text)
    assert digest == hashlib.sha256(text.encode()).digest()
    assert hash_prefix(digest).hex() == prefix
