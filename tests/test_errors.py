from __future__ import annotations

import pytest

from forum import create_app
from forum.config import ConfigurationError
from forum.languages.selection import COOKIE
from tests.conftest import ARTICLE_SLUG


@pytest.mark.parametrize(
    ("method", "url", "status", "title"),
    [
        ("get", "/nulle-part", 404, "Page introuvable"),
        ("post", "/", 405, "Méthode non autorisée"),
        ("get", f"/articles/{ARTICLE_SLUG}/vote", 405, "Méthode non autorisée"),
    ],
)
def test_error_pages_are_styled_and_french(client, method, url, status, title):
    response = getattr(client, method)(url)
    assert response.status_code == status
    html = response.get_data(as_text=True)
    assert title in html
    assert '<html lang="fr">' in html and 'class="site-header"' in html
    assert "Traceback" not in html


def test_oversized_request_gets_the_styled_413(reader):
    response = reader.post_form(f"{reader.article_url}/vote", {"q_1": "x" * 100_000})
    assert response.status_code == 413
    assert "Envoi trop volumineux" in response.get_data(as_text=True)


def test_production_refuses_to_start_without_a_secret_key(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigurationError, match="SECRET_KEY"):
        create_app(
            {
                "FORUM_ENV": "production",
                "SECRET_KEY": "change-me",
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db",
            }
        )


def test_development_generates_one_secret_key_into_instance_and_reuses_it(tmp_path):
    first = create_app(
        {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db", "SECRET_KEY": None}
    )
    second = create_app(
        {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db", "SECRET_KEY": None}
    )
    assert len(first.config["SECRET_KEY"]) == 64
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"]


@pytest.mark.parametrize(
    ("language", "title", "text"),
    [
        ("fr", "Page introuvable", "Erreur 404. Réessayez dans un instant."),
        ("en", "Page not found", "Error 404. Try again in a moment."),
    ],
)
def test_the_bare_page_left_when_the_layout_fails_is_in_the_readers_language(
    app, monkeypatch, language, title, text
):
    def broken_layout(*args, **kwargs):
        raise RuntimeError("the layout's secret details")

    monkeypatch.setattr("forum.errors.render_template", broken_layout)
    client = app.test_client()
    client.set_cookie(COOKIE, language)
    response = client.get("/nulle-part")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert f'<html lang="{language}">' in html
    assert f"<h1>{title}</h1>" in html and text in html
    assert "Traceback" not in html and "secret details" not in html


def test_the_bare_page_is_french_when_even_the_translations_fail(app, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("the layout's secret details")

    monkeypatch.setattr("forum.errors.render_template", broken)
    monkeypatch.setattr("forum.errors.get_locale", broken)
    response = app.test_client().get("/nulle-part", headers={"Accept-Language": "en"})
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert '<html lang="fr">' in html and "Erreur 404. Réessayez dans un instant." in html
    assert "Traceback" not in html and "secret details" not in html
