"""The home page: the running campaigns first (picture, progress, days left, "verdubbeld"),
then the open calls, then what the fund is; its cost does not grow with the campaigns."""

from __future__ import annotations

from app.core import pagecache
from tests.campaigns.fixtures import make_campaign
from tests.campaigns.test_query_counts import counted


def _text(response) -> str:
    return response.data.decode().replace("\xa0", " ")


def test_running_campaigns_come_first_then_calls_then_the_fund(client):
    running = make_campaign(goal=10_000)
    draft = make_campaign(open_now=False)
    text = _text(client.get("/"))
    assert running.title in text
    assert f'href="/campaigns/{draft.id}"' not in text
    assert text.index('id="running-h"') < text.index('id="calls-h"') < text.index('id="fund-h"')
    tile = text[text.index(f'href="/campaigns/{running.id}"') - 600 :]
    assert "campaign-default.svg" in tile[:700]
    assert 'role="progressbar"' in tile and "0 steuners" in tile
    assert "verdubbeld" in tile  # the default policy matches it
    assert "Koning Boudewijnstichting" in text[text.index('id="fund-h"') :]


def test_about_and_contact_pages_are_linked_from_every_page(client):
    home = _text(client.get("/"))
    for path in ("/about", "/contact", "/privacy"):
        assert f'href="{path}"' in home
        assert client.get(path).status_code == 200
    assert "Wie houdt toezicht?" in _text(client.get("/about"))


def _home_statements(client) -> int:
    client.get("/")
    pagecache.clear()
    with counted() as statements:
        assert client.get("/").status_code == 200
    return len(statements)


def test_the_home_page_costs_the_same_with_two_or_six_campaigns(client):
    for _ in range(2):
        make_campaign()
    two = _home_statements(client)
    for _ in range(4):
        make_campaign()
    assert _home_statements(client) == two
