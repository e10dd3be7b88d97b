"""The public campaign list pages with a keyset cursor: open campaigns first, then by end
date; every campaign once, a bad cursor reads the first page."""

from __future__ import annotations

import re
from datetime import timedelta

from app.campaigns import listing, services
from tests.campaigns.fixtures import make_campaign


def test_the_list_pages_through_every_public_campaign_once(client, monkeypatch):
    made = [make_campaign(goal=100_000) for _ in range(5)]
    made[1].ends_at = made[1].ends_at - timedelta(days=3)  # ends first: listed first
    services.close_campaign(made[4], None)  # closed: after every open one
    monkeypatch.setattr(listing, "LIST_PAGE_SIZE", 2)
    seen, path = [], "/campaigns"
    for _ in range(5):
        page = client.get(path).data.decode()
        seen += [int(i) for i in re.findall(r'href="/campaigns/(\d+)"', page)]
        more = re.search(r'<a rel="next" href="([^"]+)"', page)
        if more is None:
            break
        path = more.group(1).replace("&amp;", "&")
    ids = [c.id for c in made]
    assert seen == [ids[1], ids[0], ids[2], ids[3], ids[4]]
    assert client.get("/campaigns?after=not-a-cursor").status_code == 200


def test_the_cursor_keeps_the_filters(client, monkeypatch):
    for _ in range(3):
        make_campaign(goal=100_000)
    monkeypatch.setattr(listing, "LIST_PAGE_SIZE", 1)
    page = client.get("/campaigns?status=open&municipality=Gent").data.decode()
    link = re.search(r'<a rel="next" href="([^"]+)"', page).group(1)
    assert "status=open" in link and "municipality=Gent" in link and "after=" in link
