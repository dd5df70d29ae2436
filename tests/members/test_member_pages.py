"""Token pages: organisations by code, errors beside fields, revoking after a check step."""

from __future__ import annotations

import re

from interlink.core.auth import TOKEN_PREFIX, Role
from tests.support import World, csrf_of


def test_tokens_are_made_by_org_code_and_revoked_after_a_check(world: World) -> None:
    admin = world.user("NCB-MA", Role.NCB_ADMIN, mfa=True)
    client = world.browser_login(admin)
    csrf = csrf_of(client, "/admin/tokens")
    page = client.get("/admin/tokens")
    assert f'value="{admin.org_id}"' not in page.text  # no internal ids in the form
    refused = client.post(
        "/admin/tokens",
        data={
            "name": "Border system",
            "org": "NCB-MA",
            "days": "900",
            "csrf_token": csrf,
            "permissions": ["screen.document"],
        },
    )
    assert refused.status_code == 422 and 'href="#days"' in refused.text
    assert 'value="Border system"' in refused.text and 'value="900"' in refused.text
    assert 'value="screen.document" checked' in refused.text
    made = client.post(
        "/admin/tokens",
        data={
            "name": "Border system",
            "org": "NCB-MA",
            "days": "30",
            "csrf_token": csrf,
            "permissions": ["screen.document"],
        },
    )
    assert made.status_code == 200 and 'data-testid="new-token"' in made.text
    # The POST redirected: a reload shows the secret no more and creates nothing.
    assert made.history[0].status_code == 303
    assert made.url.path == "/admin/tokens/created"
    again = client.get("/admin/tokens/created")
    assert again.status_code == 200 and 'data-testid="new-token"' not in again.text
    assert again.text.count("/revoke") == made.text.count("/revoke") == 1
    token_id = re.search(r"/admin/tokens/(\d+)/revoke", made.text).group(1)
    check = client.post(f"/admin/tokens/{token_id}/revoke", data={"csrf_token": csrf})
    assert check.status_code == 200 and 'data-testid="confirm"' in check.text
    assert "Active" in client.get("/admin/tokens").text
    done = client.post(
        f"/admin/tokens/{token_id}/revoke",
        data={"csrf_token": csrf, "confirmed": "yes"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    listing = client.get("/admin/tokens").text
    assert "Revoked" in listing and f"/admin/tokens/{token_id}/revoke" not in listing


def test_a_shown_once_secret_cannot_be_read_by_another_page_or_forged(world: World) -> None:
    client = world.browser_login(world.user("NCB-MA", Role.NCB_ADMIN, mfa=True))
    csrf = csrf_of(client, "/admin/tokens")
    made = client.post(
        "/admin/tokens",
        data={
            "name": "Gate",
            "org": "NCB-MA",
            "days": "30",
            "csrf_token": csrf,
            "permissions": ["screen.document"],
        },
        follow_redirects=False,
    )
    sealed = made.cookies.get("interlink_once")
    assert sealed
    client.cookies.delete("interlink_once")
    forged = sealed[:-4] + ("AAAA" if not sealed.endswith("AAAA") else "BBBB")
    client.cookies.set("interlink_once", forged)
    page = client.get("/admin/tokens/created")
    assert page.status_code == 200 and 'data-testid="new-token"' not in page.text
    # The genuine value, sealed for this page, is refused by any other page.
    client.cookies.set("interlink_once", sealed)
    assert 'data-testid="new-token"' not in client.get("/admin/tokens").text
    shown = client.get("/admin/tokens/created").text
    token = re.search(r'data-testid="new-token">([^<]+)<', shown)
    assert token and token.group(1).startswith(TOKEN_PREFIX)
    assert token.group(1) not in sealed  # encrypted, not the token itself
