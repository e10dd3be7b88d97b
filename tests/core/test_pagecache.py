"""The rendered-page cache for anonymous visitors: one render per key, and, for a page
that names what it is of, the page before while this process renders a new key."""

from __future__ import annotations

from app.core import pagecache


def test_a_key_is_rendered_once_and_then_served_from_memory(app):
    renders = []

    def render():
        renders.append(1)
        return "<p>v1</p>"

    with app.test_request_context("/campaigns/1"):
        assert pagecache.anonymous_page(("campaign", 1, "v1"), render) == "<p>v1</p>"
        assert pagecache.anonymous_page(("campaign", 1, "v1"), render) == "<p>v1</p>"
    assert len(renders) == 1


def test_while_a_new_key_renders_other_requests_get_the_page_before_with_its_key(app):
    what = ("campaign", 2)
    seen_meanwhile = []

    def render_v2():
        # Another request arrives for an even newer key while v2 is being rendered: it
        # gets v1 with v1's key (for its ETag), and does not render.
        seen_meanwhile.append(pagecache.anonymous_page_shown(("campaign", 2, "v3"), _fail, stale_of=what))
        return "<p>v2</p>"

    with app.test_request_context("/campaigns/2"):
        first = pagecache.anonymous_page_shown(("campaign", 2, "v1"), lambda: "<p>v1</p>", stale_of=what)
        assert first == ("<p>v1</p>", ("campaign", 2, "v1"))
        second = pagecache.anonymous_page_shown(("campaign", 2, "v2"), render_v2, stale_of=what)
        assert second == ("<p>v2</p>", ("campaign", 2, "v2"))
        assert seen_meanwhile == [("<p>v1</p>", ("campaign", 2, "v1"))]
        # Once v2 is done, a request for v3 renders v3 itself.
        third = pagecache.anonymous_page_shown(("campaign", 2, "v3"), lambda: "<p>v3</p>", stale_of=what)
        assert third == ("<p>v3</p>", ("campaign", 2, "v3"))


def test_with_nothing_rendered_before_a_concurrent_request_renders_itself(app):
    what = ("campaign", 3)
    inner = []

    def render_v1():
        inner.append(
            pagecache.anonymous_page_shown(("campaign", 3, "v2"), lambda: "<p>v2</p>", stale_of=what)
        )
        return "<p>v1</p>"

    with app.test_request_context("/campaigns/3"):
        assert (
            pagecache.anonymous_page_shown(("campaign", 3, "v1"), render_v1, stale_of=what)[0] == "<p>v1</p>"
        )
    assert inner == [("<p>v2</p>", ("campaign", 3, "v2"))]


def test_a_failed_render_lets_the_next_request_render(app):
    what = ("campaign", 4)

    def broken():
        raise RuntimeError("template error")

    with app.test_request_context("/campaigns/4"):
        try:
            pagecache.anonymous_page_shown(("campaign", 4, "v1"), broken, stale_of=what)
        except RuntimeError:
            pass
        page = pagecache.anonymous_page_shown(("campaign", 4, "v1"), lambda: "<p>v1</p>", stale_of=what)
    assert page == ("<p>v1</p>", ("campaign", 4, "v1"))


def _fail():
    raise AssertionError("must not render: the page before is served")
