"""The in-process cache stays within its memory budget whatever readers and crawlers ask."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from forum import create_app
from forum.config import ConfigurationError
from forum.extensions import cache, db
from forum.memory_cache import BoundedMemoryCache
from tests.comment_helpers import seed_comments
from tests.conftest import TEST_SECRET

BUDGET_MB = 0.1  # the walk below caches 164 KB when nothing bounds it
PAGES = 40


@pytest.fixture
def app_config() -> dict:
    return {"FORUM_CACHE_MAX_MB": BUDGET_MB, "FORUM_COMMENTS_PER_PAGE": 2}


def test_a_crawler_walking_every_page_keeps_the_cache_within_its_budget(app, make_reader):
    top_ids = seed_comments(app, 2 * PAGES)
    newest = top_ids[-1]  # shown first on page 1 (newest first)
    wave_reader, crawler = make_reader(), make_reader()
    for number in range(1, PAGES + 1):
        # A wave keeps reading the first page while the crawler walks the others.
        assert wave_reader.open_article().status_code == 200
        page = crawler.client.get(f"/articles/{wave_reader.slug}?page={number}")
        assert page.status_code == 200 and "Avis de seed" in page.get_data(as_text=True)
        assert cache.cache.size_bytes <= BUDGET_MB * 2**20

    _rewrite_behind_the_apps_back(app, newest)
    first_page = make_reader().open_article().get_data(as_text=True)
    assert "Réécrit" not in first_page  # still the cached first page: it was kept
    assert f"Avis de seed-{2 * PAGES - 1}" in first_page


def test_a_page_larger_than_the_whole_cache_is_served_all_the_same(app, make_reader):
    app.extensions["cache"][cache] = BoundedMemoryCache(max_bytes=1024, default_timeout=30)
    seed_comments(app, 3)
    page = make_reader().open_article()
    assert page.status_code == 200 and "Avis de seed-2" in page.get_data(as_text=True)
    assert cache.cache.size_bytes <= 1024


def test_the_budget_is_read_from_the_environment_in_megabytes(monkeypatch):
    monkeypatch.setenv("FORUM_CACHE_MAX_MB", "0.5")
    app = create_app({"SECRET_KEY": TEST_SECRET})
    with app.app_context():
        cache.set("entry", "x" * 400_000)
        cache.set("another", "y" * 400_000)  # together over 0.5 MB: the older one goes
        assert cache.get("entry") is None and cache.get("another") == "y" * 400_000


@pytest.mark.parametrize("value", ["beaucoup", "0", "-2", "inf"])
def test_a_bad_budget_stops_the_start(monkeypatch, value):
    monkeypatch.setenv("FORUM_CACHE_MAX_MB", value)
    with pytest.raises(ConfigurationError, match="FORUM_CACHE_MAX_MB"):
        create_app({"SECRET_KEY": TEST_SECRET})


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_an_expired_entry_is_gone_and_gives_its_memory_back():
    clock = Clock()
    memory = BoundedMemoryCache(max_bytes=10_000, default_timeout=30, timer=clock)
    memory.set("page", b"x" * 4000, timeout=30)
    memory.set("forever", "kept", timeout=0)
    clock.now += 29
    assert memory.get("page") == b"x" * 4000
    assert memory.size_bytes > 4000
    clock.now += 2
    assert memory.get("page") is None and not memory.has("page")
    memory.set("other", "small")  # any write drops what has expired
    assert memory.size_bytes < 100
    clock.now += 10**6
    assert memory.get("forever") == "kept"


def test_the_least_recently_read_entry_goes_first():
    memory = BoundedMemoryCache(max_bytes=10_000, default_timeout=30, timer=Clock())
    memory.set("first page", b"a" * 3000)
    memory.set("deep page", b"b" * 3000)
    memory.get("first page")
    memory.set("another deep page", b"c" * 5000)
    assert memory.get("first page") == b"a" * 3000
    assert memory.get("deep page") is None
    assert memory.add("first page", b"z") is False
    assert memory.delete("first page") and memory.get("first page") is None


def _rewrite_behind_the_apps_back(app, comment_id: int) -> None:
    with app.app_context():
        db.session.execute(
            text("UPDATE comments SET body_html = '<p>Réécrit</p>' WHERE id = :id"),
            {"id": comment_id},
        )
        db.session.commit()
