"""The stop page: says why the website is blocked and how to ask for a review."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import pytest

from interlink.blocklist.stop_page import render_stop_page


class TextAndLinks(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.links.extend(value for name, value in attrs if name == "href" and value)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(html: str) -> TextAndLinks:
    parser = TextAndLinks()
    parser.feed(html)
    return parser


def render(**overrides: object) -> str:
    arguments: dict[str, Any] = {
        "domain": "listed.example",
        "provider": "Example Telecom",
        "complaint_url": "https://interlink.example/blocklist/review",
        "list_version": 42,
    } | overrides
    return render_stop_page(**arguments)


def test_the_page_says_why_and_how_to_complain() -> None:
    page = parse(render())
    text = " ".join(" ".join(page.text).split())
    assert "listed.example" in text
    assert "Example Telecom" in text
    assert "sexual abuse of children" in text
    assert "at least two different countries or agencies" in text
    assert "ask for a review" in text
    assert page.links == ["https://interlink.example/blocklist/review"]
    assert "Blocklist version 42" in text


def test_the_version_line_is_left_out_when_unknown() -> None:
    assert "Blocklist version" not in render(list_version=None)


@pytest.mark.parametrize("field", ["domain", "provider"])
def test_values_are_escaped(field: str) -> None:
    html = render(**{field: '<script>alert("x")</script>'})
    assert "<script>" not in html
    assert "&lt;script&gt;" in html


def test_a_complaint_link_cannot_break_out_of_its_attribute() -> None:
    page = parse(render(complaint_url='https://x.example/" onclick="evil()'))
    assert page.links == ['https://x.example/" onclick="evil()']


def test_without_a_provider_name_the_sentence_still_reads() -> None:
    text = " ".join(" ".join(parse(render(provider=None)).text).split())
    assert "Your Internet provider has blocked listed.example" in text
    assert "Your Internet provider, Example Telecom, has blocked" in " ".join(
        "".join(parse(render()).text).split()
    )


def test_a_provider_page_stands_alone_with_its_styles_inline() -> None:
    html = render()
    assert "<style>" in html and "stylesheet" not in html
    assert "Website blocked: listed.example" in html
