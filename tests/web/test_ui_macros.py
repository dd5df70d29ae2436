"""The shared page vocabulary (web/templates/_ui.html) renders accessible, escaped markup."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

from markupsafe import Markup

from interlink.web.render import day, templates, when


def ui(source: str, **context) -> str:
    return templates.env.from_string('{% import "_ui.html" as ui %}' + source).render(**context)


def test_error_summary_links_each_field_and_is_absent_without_errors() -> None:
    html = ui("{{ ui.error_summary(errors) }}", errors=[("domain", "Enter a domain")])
    assert 'role="alert"' in html and "There is a problem" in html
    assert '<a href="#domain">Enter a domain</a>' in html
    assert ui("{{ ui.error_summary([]) }}").strip() == ""


def test_field_keeps_what_was_typed_escaped_and_points_to_its_error() -> None:
    html = ui(
        '{{ ui.field("name", "Name", value=v, error="Enter a name", hint="As written",'
        ' dir="auto", attrs={"maxlength": 200}) }}',
        v='<b>"x"</b>',
    )
    assert 'value="&lt;b&gt;&#34;x&#34;&lt;/b&gt;"' in html
    assert 'aria-describedby="name-hint name-error"' in html
    assert 'aria-invalid="true"' in html and 'id="name-error"' in html
    assert 'dir="auto"' in html and 'maxlength="200"' in html
    assert "<b>" not in html


def test_password_field_never_echoes_its_value() -> None:
    html = ui('{{ ui.field("password", "Password", value="secret", type="password") }}')
    assert "secret" not in html


def test_checkboxes_put_each_label_beside_its_box_and_tick_chosen_values() -> None:
    html = ui(
        '{{ ui.checkboxes("c", "Countries", [("FR", "France"), ("JP", "Japan", "hint")],'
        ' checked=["JP"]) }}'
    )
    assert '<input class="choice__input" id="c-1"' in html
    assert '<label class="choice__label" for="c-1">France</label>' in html
    jp = html[html.index('id="c-2"') :]
    assert jp.split(">")[0].endswith("checked") or " checked" in jp.split(">")[0]
    fr = html[html.index('id="c-1"') :]
    assert "checked" not in fr.split(">")[0]


def test_select_marks_the_selected_option() -> None:
    html = ui('{{ ui.select("s", "State", [("a", "A"), ("b", "B")], selected="b", blank="Any") }}')
    assert '<option value="b" selected>B</option>' in html
    assert '<option value="">Any</option>' in html
    assert '<option value="a">A</option>' in html


def test_summary_list_keeps_safe_html_and_escapes_text() -> None:
    html = ui(
        "{{ ui.summary_list(rows) }}",
        rows=[("Name", Markup("<bdi>x</bdi>")), ("Note", "<i>"), ("Empty", None)],
    )
    assert "<bdi>x</bdi>" in html and "&lt;i&gt;" in html and "Not given" in html


def test_bdi_name_isolates_the_name_and_adds_its_latin_form_only_when_different() -> None:
    html = ui('{{ ui.bdi_name("حميضة", "Humaida") }}')
    assert '<bdi dir="auto">حميضة</bdi>' in html and "Humaida" in html
    assert "name__latin" not in ui('{{ ui.bdi_name("Smith", "Smith") }}')


def test_confirm_page_posts_hidden_answers_with_a_change_link() -> None:
    html = ui(
        '{{ ui.confirm_page("Check", [("Vote", "Yes")], "/vote", "tok",'
        ' hidden={"choice": "yes", "ids": [1, 2]}, back_url="/back") }}'
    )
    assert '<form method="post" action="/vote"' in html
    assert 'name="csrf_token" value="tok"' in html
    assert html.count('name="ids"') == 2 and 'name="choice" value="yes"' in html
    assert '<a class="button-group__link" href="/back">Change</a>' in html


def test_pagination_counts_and_links() -> None:
    html = ui('{{ ui.pagination(next_url="/x?after=5", total=1234, shown=50) }}')
    assert "Showing 50 of 1,234 results" in html and 'href="/x?after=5"' in html
    assert "Previous" not in html


def test_table_scrolls_in_a_focusable_region_and_says_when_empty() -> None:
    html = ui('{{ ui.table(["A", "B"], [[1, 2]], caption="Hits", numeric=[1]) }}')
    assert 'class="table-wrap" role="region" aria-label="Hits" tabindex="0"' in html
    assert '<td class="numeric">2</td>' in html
    assert "Nothing to show." in ui('{{ ui.table(["A"], []) }}')


def test_no_macro_writes_inline_styles_or_scripts() -> None:
    source = templates.env.loader.get_source(templates.env, "_ui.html")[0]
    assert "style=" not in source and "<script" not in source


def test_dates_read_as_people_write_them() -> None:
    moment = datetime(2026, 12, 7, 15, 5, tzinfo=timezone(timedelta(hours=1)))
    assert when(moment) == "7 Dec 2026, 14:05 UTC"
    assert when(datetime(2026, 1, 2, 3, 4, tzinfo=UTC)) == "2 Jan 2026, 03:04 UTC"
    assert day(date(2026, 12, 7)) == "7 Dec 2026"
    assert when(None) == "—"
