from __future__ import annotations

import xml.etree.ElementTree as ET

from tests.comment_helpers import post_comment, update_comment
from tests.conftest import ARTICLE_SLUG

ATOM = "{http://www.w3.org/2005/Atom}"


def test_atom_feed_lists_public_comments_newest_first(make_reader, app, client):
    post_comment(make_reader(), body="Premier <script>x</script> & **gras**", pseudonym="Un")
    post_comment(make_reader(), body="Second", pseudonym="Deux")
    post_comment(make_reader(), body="Retenu", pseudonym="Trois")
    update_comment(app, 3, status="pending", pending_reason="premoderation")
    response = client.get(f"/articles/{ARTICLE_SLUG}/comments.atom")
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    feed = ET.fromstring(response.data)
    assert feed.tag == f"{ATOM}feed"
    for required in ("title", "id", "updated"):
        assert feed.find(f"{ATOM}{required}").text
    entries = feed.findall(f"{ATOM}entry")
    assert [e.find(f"{ATOM}author/{ATOM}name").text for e in entries] == ["Deux", "Un"]
    first = entries[1]
    assert first.find(f"{ATOM}id").text.endswith("/comments/1")
    assert first.find(f"{ATOM}updated").text.endswith("Z")
    content = first.find(f"{ATOM}content")
    assert content.get("type") == "html"
    assert "<strong>gras</strong>" in content.text and "<script>" not in content.text


def test_article_page_advertises_the_feed(client):
    html = client.get(f"/articles/{ARTICLE_SLUG}").get_data(as_text=True)
    assert 'type="application/atom+xml"' in html
    assert client.get("/articles/nope/comments.atom").status_code == 404
