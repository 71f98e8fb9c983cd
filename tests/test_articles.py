from __future__ import annotations

import pytest

from tests.conftest import ARTICLE_SLUG

SEED_SENTENCES = [
    "Anthropic PBC est une start-up américaine spécialisée dans l'intelligence artificielle "
    "(IA) fondée en 2021.",
    "Récemment, Anthropic a brusquement mis fin à l'accès de l'API d'OpenAI à ses modèles "
    "d'IA Claude",
    "Ce processus d'évaluation comparative, bien que courant dans le développement de l'IA, "
    "est devenu illégal lorsqu'il a été utilisé pour affiner les propres modèles d'OpenAI.",
    "comme le blocage de Vine par Facebook et les limitations de données de Slack par Salesforce.",
    "pourrait faire disparaître la moitié des emplois de bureau de niveau débutant dans les "
    "cinq prochaines années",
    "Il a réitéré cette affirmation lors d'une autre interview le lendemain : […], a déclaré "
    "Amodei.",
]


def article_html(client) -> str:
    response = client.get(f"/articles/{ARTICLE_SLUG}")
    assert response.status_code == 200
    return response.get_data(as_text=True).replace("&#39;", "'")


@pytest.mark.parametrize("sentence", SEED_SENTENCES)
def test_article_page_shows_the_cleaned_text(client, sentence):
    assert sentence in article_html(client)


def test_article_page_has_no_scrape_artefacts(client):
    html = article_html(client)
    body = html.split('<div class="article-body">')[1].split("</article>")[0]
    assert '""' not in body
    assert "IA.Récemment" not in html and "public.Récemment" not in html
    assert ": Anthropic" not in html
    assert "AnthropicPensez" not in html
    assert html.count("<p>") >= 9, "paragraphs are restored"


def test_article_page_marks_the_editors_title_and_standfirst(client):
    html = article_html(client)
    assert "Titre et chapô de la rédaction" in html
    assert "<title>Anthropic coupe l'accès d'OpenAI à l'API de Claude" in html
    assert "Source :" in html
    assert "Publié le" in html


def test_article_page_metadata(client):
    html = article_html(client)
    assert '<html lang="fr">' in html
    assert '<meta name="description" content="Anthropic reproche' in html
    assert f'<link rel="canonical" href="http://localhost/articles/{ARTICLE_SLUG}">' in html
    assert '<meta property="og:title"' in html
    assert '<meta property="og:type" content="article">' in html


def test_index_lists_the_article_with_counts(client, reader):
    reader.vote({"credibility": 3, "relevance": 2})
    html = client.get("/").get_data(as_text=True)
    assert f'href="/articles/{ARTICLE_SLUG}"' in html
    assert "1 votant" in html
    assert "0 commentaire" in html


def test_unknown_article_is_a_styled_404(client):
    response = client.get("/articles/nope")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "Page introuvable" in html
    assert 'class="site-header"' in html
