"""The page types the browser checks (accessibility, CSP) visit; {comment} is a comment id."""

from __future__ import annotations

from tests.conftest import ARTICLE_SLUG

ARTICLE = f"/articles/{ARTICLE_SLUG}"

READER_PAGES = [
    "/",
    ARTICLE,
    f"{ARTICLE}?resultats=1",
    f"{ARTICLE}?sort=useful&stance=credible",
    f"{ARTICLE}/deux-camps",
    f"{ARTICLE}/resultats-dans-le-temps",
    "/comments/{comment}/flag",
    "/mes-donnees",
    "/mes-reponses",
    "/confidentialite",
    "/staff/login",
    "/une-page-qui-n-existe-pas",
]

STAFF_PAGES = [
    "/moderation?tab=pending",
    "/moderation?tab=reported",
    "/moderation?tab=recent",
    "/moderation?tab=rejected",
    "/moderation/dashboard",
    "/moderation/articles",
    "/moderation/bans",
    "/moderation/words",
    "/moderation/audit",
    "/staff/password",
]
