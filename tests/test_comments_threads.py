from __future__ import annotations

import re
from datetime import timedelta

import pytest

from forum.extensions import cache
from forum.models import utcnow
from tests.comment_helpers import (
    comments,
    discussion_html,
    last_comment,
    next_page_params,
    post_comment,
    recorded_queries,
    seed_comments,
    shown_ids,
    update_comment,
)
from tests.conftest import ARTICLE_SLUG

ARTICLE_URL = f"/articles/{ARTICLE_SLUG}"


def test_reply_is_nested_under_its_parent(make_reader, app):
    alice, bob = make_reader(), make_reader()
    post_comment(alice, body="Premier avis", pseudonym="Alice")
    response = post_comment(bob, body="Je réponds", pseudonym="Bob", parent_id=1)
    assert response.headers["Location"].endswith("#c2")
    reply = last_comment(app)
    assert (reply.parent_id, reply.thread_id, reply.depth) == (1, 1, 1)
    html = discussion_html(bob)
    assert re.search(
        r'id="c1".*<ol class="comment-list replies"[^>]*>\s*<li[^>]*>\s*'
        r'<article class="comment comment-own" id="c2"',
        html,
        re.S,
    )


def test_reply_form_without_javascript(reader):
    post_comment(reader, body="Premier avis")
    html = discussion_html(reader, repondre=1)
    assert 'id="repondre-1"' in html and 'name="parent_id" value="1"' in html
    assert "Répondre à Lectrice" in html
    # A reply target that is not on the page falls back to the main form.
    html = discussion_html(reader, repondre=999)
    assert 'id="commenter"' in html and 'name="parent_id"' not in html


def test_replies_past_the_depth_cap_attach_at_the_cap(make_reader, app):
    reader = make_reader()
    post_comment(reader, body="niveau 0", pseudonym="Niveau")
    for parent in (1, 2, 3):
        post_comment(
            make_reader(), body=f"niveau {parent}", pseudonym=f"Lecteur {parent}", parent_id=parent
        )
    response = post_comment(reader, body="trop profond", parent_id=4)
    assert response.status_code == 302
    deep = last_comment(app)
    assert (deep.depth, deep.parent_id, deep.reply_to_id, deep.thread_id) == (3, 3, 4, 1)
    html = discussion_html(reader)
    assert 'en réponse à <a href="#c4">Lecteur 3</a>' in html
    assert [c.depth for c in comments(app)] == [0, 1, 2, 3, 3]


def test_reply_to_a_missing_or_foreign_comment_is_refused(reader, count_rows):
    from forum.models import Comment

    response = post_comment(reader, body="Texte gardé", parent_id=42)
    assert response.status_code == 409
    assert "n&#39;accepte plus de réponses" in response.get_data(as_text=True)
    assert count_rows(Comment) == 0


def edit_form(reader, comment_id: int):
    return reader.client.get(f"/comments/{comment_id}/edit")


def test_author_edits_inside_the_window_and_it_shows_modifie(reader, app):
    post_comment(reader, body="Version 1")
    assert edit_form(reader, 1).status_code == 200
    response = reader.post_form(
        "/comments/1/edit", {"body": "Version *2*", "submit": "x"}, page="/comments/1/edit"
    )
    assert response.status_code == 302
    html = discussion_html(reader)
    assert "Version <em>2</em>" in html and "(modifié)" in html
    assert last_comment(app).edited_at is not None


def test_edit_preview_and_empty_body(reader, app):
    post_comment(reader, body="Version 1")
    response = reader.post_form(
        "/comments/1/edit", {"body": "**gras**", "preview": "x"}, page="/comments/1/edit"
    )
    assert response.status_code == 200 and "<strong>gras</strong>" in response.text
    response = reader.post_form(
        "/comments/1/edit", {"body": "  ", "submit": "x"}, page="/comments/1/edit"
    )
    assert response.status_code == 400 and "Votre commentaire est vide." in response.text
    assert last_comment(app).body_source == "Version 1"


def test_edit_after_the_window_is_refused(reader, app):
    post_comment(reader, body="Version 1")
    update_comment(app, 1, created_at=utcnow() - timedelta(minutes=16))
    response = edit_form(reader, 1)
    assert response.status_code == 403
    assert "Le délai de 15 minutes" in response.get_data(as_text=True)
    assert "Modifier ou supprimer" not in discussion_html(reader)
    token = reader.token()
    response = reader.client.post(
        "/comments/1/edit", data={"csrf_token": token, "body": "Version 2", "submit": "x"}
    )
    assert response.status_code == 403
    assert last_comment(app).body_source == "Version 1"


def test_another_reader_cannot_edit_or_delete(make_reader, app):
    author, other = make_reader(), make_reader()
    post_comment(author, body="Mon avis")
    assert edit_form(other, 1).status_code == 403
    response = other.post_form("/comments/1/delete", {"confirm": "y"})
    assert response.status_code == 403
    assert last_comment(app).deleted_at is None


def test_delete_without_replies_removes_it_from_the_page(reader, app):
    post_comment(reader, body="À effacer")
    response = reader.post_form("/comments/1/delete", {"confirm": "y"})
    assert response.status_code == 302
    html = discussion_html(reader)
    assert "À effacer" not in html and "0 commentaire" in html
    comment = last_comment(app)
    assert comment.deleted_at is not None and comment.body_source == comment.body_html == ""
    assert reader.client.get("/comments/1").status_code == 410


def test_delete_asks_for_confirmation_first(reader, app):
    post_comment(reader, body="À garder")
    response = reader.post_form("/comments/1/delete", {}, page="/comments/1/edit")
    assert response.status_code == 400
    assert "Cochez la case pour confirmer la suppression." in response.text
    assert "À garder" in response.text  # the edit page again, text and all
    assert last_comment(app).deleted_at is None
    response = reader.post_form("/comments/1/delete", {"confirm": "y"}, page="/comments/1/edit")
    assert response.status_code == 302 and last_comment(app).deleted_at is not None


def test_the_edit_page_tells_the_time_left_in_the_window(reader, app):
    post_comment(reader, body="Version 1")
    assert "Il vous reste 15 minutes pour le modifier" in edit_form(reader, 1).text
    update_comment(app, 1, created_at=utcnow() - timedelta(minutes=14, seconds=30))
    assert "Il vous reste 1 minute pour le modifier" in edit_form(reader, 1).text


def test_delete_with_replies_keeps_a_placeholder(make_reader):
    author, other = make_reader(), make_reader()
    post_comment(author, body="À effacer")
    post_comment(other, body="Une réponse", pseudonym="Autre", parent_id=1)
    author.post_form("/comments/1/delete", {"confirm": "y"})
    html = discussion_html(other)
    assert "À effacer" not in html
    assert re.search(r'id="c1".*commentaire supprimé.*id="c2".*Une réponse', html, re.S)
    assert shown_ids(html) == [1, 2]


@pytest.fixture
def app_config():
    return {"FORUM_COMMENTS_PER_PAGE": 5}


def test_pagination_of_top_level_comments_with_their_replies(app, reader):
    ids = seed_comments(app, 12, replies_per_thread=2)
    html = discussion_html(reader)
    assert shown_ids(html)[::3] == ids[::-1][:5]
    assert len(shown_ids(html)) == 15
    assert 'aria-current="page">1<' in html and "page=3#discussion" in html
    html = discussion_html(reader, page=3)
    assert shown_ids(html)[::3] == ids[::-1][10:]
    following = discussion_html(reader, **next_page_params(reader, page=2))
    assert shown_ids(following) == shown_ids(html)  # the "next" link's cursor: same page
    assert reader.open_article(page=4).status_code == 404
    assert reader.open_article(page=0).status_code == 404


def test_next_page_link_continues_after_the_featured_and_in_each_order(app, reader):
    ids = seed_comments(app, 12)
    update_comment(app, ids[5], featured_at=utcnow())
    for sort, order in (("recent", ids[::-1]), ("oldest", ids)):
        expected = [ids[5]] + [i for i in order if i != ids[5]]
        seen = shown_ids(discussion_html(reader, sort=sort))
        params = {"sort": sort}
        for _ in range(2):
            params = next_page_params(reader, **params)
            seen += shown_ids(discussion_html(reader, **params))
        assert seen == expected


@pytest.mark.parametrize("sort", ["recent", "oldest", "useful"])
def test_pages_by_number_show_every_thread_once_in_order_from_either_end(app, reader, sort):
    ids = seed_comments(app, 13)
    useful = {thread: (index * 7) % 5 for index, thread in enumerate(ids)}
    for thread, count in useful.items():
        update_comment(app, thread, useful_count=count)
    featured = [ids[3], ids[8]]
    for thread in featured:
        update_comment(app, thread, featured_at=utcnow())
    keys = {
        "recent": lambda i: (-i,),
        "oldest": lambda i: (i,),
        "useful": lambda i: (-useful[i], -i),
    }[sort]
    expected = sorted(featured, key=keys) + sorted((i for i in ids if i not in featured), key=keys)
    for stance in (None, "none"):
        pages = [
            shown_ids(discussion_html(reader, sort=sort, page=page, stance=stance))
            for page in (1, 2, 3)
        ]
        assert [len(p) for p in pages] == [5, 5, 3]
        assert [thread for page in pages for thread in page] == expected
    with app.app_context():
        cache.clear()  # the page's threads are cached: read them again
    with recorded_queries(app) as statements:
        discussion_html(reader, sort=sort, page=3)
    offsets = [
        _offset(statement, params) for statement, params in statements if "OFFSET" in statement
    ]
    assert offsets and max(offsets) < 5  # the last page is read from the end, not skipped to


def _offset(statement: str, parameters) -> int:
    if isinstance(parameters, dict):  # psycopg's named parameters
        return parameters[re.search(r"OFFSET %\((\w+)\)s", statement).group(1)]
    return parameters[-1]


def test_permalink_leads_to_the_page_that_shows_the_comment(app, reader):
    ids = seed_comments(app, 12, replies_per_thread=1)
    oldest = ids[0]
    response = reader.client.get(f"/comments/{oldest}")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"{ARTICLE_URL}?page=3#c{oldest}")
    reply_id = oldest + 12  # replies are inserted after every top-level comment
    response = reader.client.get(f"/comments/{reply_id}")
    # A reply's address names its thread too, shown whole if it is long.
    assert response.headers["Location"].endswith(f"?page=3&fil={oldest}#c{reply_id}")
    assert (
        reader.client.get(f"/comments/{ids[-1]}")
        .headers["Location"]
        .endswith(f"{ARTICLE_URL}#c{ids[-1]}")
    )
    assert reader.client.get("/comments/99999").status_code == 404


def test_sorts(app, reader):
    ids = seed_comments(app, 4)
    update_comment(app, ids[1], useful_count=5)
    update_comment(app, ids[2], useful_count=9)
    assert shown_ids(discussion_html(reader)) == ids[::-1]
    assert shown_ids(discussion_html(reader, sort="oldest")) == ids
    assert shown_ids(discussion_html(reader, sort="useful"))[:2] == [ids[2], ids[1]]
    assert shown_ids(discussion_html(reader, sort="nonsense")) == ids[::-1]


def test_featured_comment_comes_first_with_its_badge(app, reader):
    ids = seed_comments(app, 3)
    update_comment(app, ids[0], featured_at=utcnow())
    html = discussion_html(reader)
    assert shown_ids(html)[0] == ids[0]
    assert "Choix de la rédaction" in html


def test_hidden_comments_keep_the_thread_shape(app, make_reader):
    author, other = make_reader(), make_reader()
    post_comment(author, body="Refusé plus tard")
    post_comment(other, body="Réponse visible", pseudonym="Autre", parent_id=1)
    update_comment(app, 1, status="rejected", reject_reason="Hors charte")
    html = discussion_html(make_reader())
    assert "Refusé plus tard" not in html and "refusé par la modération" in html
    assert "Réponse visible" in html
    mine = discussion_html(author)
    assert "Refusé plus tard" in mine and "Hors charte" in mine


def test_an_edit_is_judged_again_by_the_posting_policy(reader, app, admin):
    post_comment(reader, body="Version 1")
    assert last_comment(app).status == "approved"
    words = "/moderation/words"
    added = admin.post_form(words, {"word": "douteuse", "kind": "suspect"}, page=words)
    assert added.status_code == 303
    reader.post_form(
        "/comments/1/edit", {"body": "Version douteuse", "submit": "x"}, page="/comments/1/edit"
    )
    comment = last_comment(app)
    assert (comment.status, comment.pending_reason) == ("pending", "suspect_word")


EXPAND_RE = re.compile(r'<a href="([^"]+)" data-expand="(\d+)" data-first="(\d+)">([^<]+)</a>')


def test_a_long_thread_shows_its_first_replies_and_a_link_to_the_others(app, make_reader):
    [top] = seed_comments(app, 1, replies_per_thread=8)
    [short] = seed_comments(app, 1, replies_per_thread=5, reader_prefix="court")
    reader = make_reader()
    html = discussion_html(reader)
    replies = list(range(top + 1, top + 9))
    assert shown_ids(html) == [short, *range(short + 1, short + 6), top, *replies[:3]]
    [(href, thread, first, text)] = EXPAND_RE.findall(html)
    assert (int(thread), int(first), text) == (top, replies[3], "voir les 5 autres réponses")
    whole = reader.client.get(href.replace("&amp;", "&")).get_data(as_text=True)
    assert f"fil={top}" in href and href.endswith(f"#c{replies[3]}")
    assert shown_ids(whole) == [short, *range(short + 1, short + 6), top, *replies]
    assert "autres réponses" not in whole


def test_a_reply_in_a_collapsed_thread_is_shown_to_its_author(app, make_reader):
    [top] = seed_comments(app, 1, replies_per_thread=8)
    author = make_reader()
    response = post_comment(author, body="Ma réponse, tout au bout", parent_id=top)
    assert f"fil={top}" in response.headers["Location"]
    page = author.client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Ma réponse, tout au bout" in page
    assert "Ma réponse, tout au bout" in discussion_html(author, fil=top)


def test_the_page_links_say_where_the_reader_is(app, reader):
    seed_comments(app, 12)
    html = discussion_html(reader, page=2)
    assert "Page 2 sur 3" in html
    assert 'title="Première page">1</a>' in html and 'title="Dernière page">3</a>' in html


def test_replying_to_a_reply_of_a_long_thread_keeps_the_thread_whole(app, reader):
    [top] = seed_comments(app, 1, replies_per_thread=8)
    last = top + 8
    html = discussion_html(reader, fil=top, repondre=last)
    assert 'id="repondre-' + str(last) + '"' in html and "autres réponses" not in html
    cancel = re.search(r'<a href="([^"]+)">Annuler la réponse</a>', html).group(1)
    assert f"fil={top}" in cancel and cancel.endswith(f"#c{last}")
    assert f'id="repondre-{last}"' in discussion_html(reader, repondre=last)
