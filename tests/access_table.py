"""Who may reach what: every route of the app × five personas → the expected status.

Read by the access matrix, the security headers and the hostile-input tests. URLs and
form data may use {article_slug}, {article}, {comment} (pending), {public} (published),
{ban} and {word}: ids of rows the `world` fixture (conftest.py) creates.
"""

from __future__ import annotations

from dataclasses import dataclass, field

PERSONAS = ("anonymous", "reader", "moderator", "admin", "disabled")


@dataclass(frozen=True)
class Access:
    anonymous: int
    reader: int
    moderator: int
    admin: int
    disabled: int
    url: str | None = None  # defaults to the rule itself (routes without arguments)
    data: dict = field(default_factory=dict)

    def expected(self, persona: str) -> int:
        return getattr(self, persona)


def everyone(status: int, **kwargs) -> Access:
    return Access(status, status, status, status, status, **kwargs)


def staff_page(**kwargs) -> Access:
    """Signed-in staff read it; everyone else is sent to the login page."""
    return Access(302, 302, 200, 200, 302, **kwargs)


def admin_page(**kwargs) -> Access:
    return Access(302, 302, 403, 200, 302, **kwargs)


def staff_action(ok: int = 303, **kwargs) -> Access:
    """A POST for signed-in staff; refused outright to others (a redirect would lose it)."""
    return Access(403, 403, ok, ok, 403, **kwargs)


def admin_action(ok: int = 303, **kwargs) -> Access:
    return Access(403, 403, 403, ok, 403, **kwargs)


SETTINGS = {
    "a{article}-discussion_open": "1",
    "a{article}-poll_open": "1",
    "a{article}-premoderation": "first",
    "a{article}-flag_threshold": "4",
    "a{article}-reasons": "source floue\ncontexte manquant",
}

# (method, rule) -> expected statuses. HEAD and OPTIONS are left to Flask.
ACCESS: dict[tuple[str, str], Access] = {
    # Reader pages (lead)
    ("GET", "/"): everyone(200),
    ("GET", "/articles/<slug>"): everyone(200, url="/articles/{article_slug}"),
    ("POST", "/articles/<slug>/vote"): everyone(400, url="/articles/{article_slug}/vote"),
    ("GET", "/articles/<slug>/deux-camps"): everyone(
        200, url="/articles/{article_slug}/deux-camps"
    ),
    ("GET", "/articles/<slug>/resultats-dans-le-temps"): everyone(
        200, url="/articles/{article_slug}/resultats-dans-le-temps"
    ),
    ("GET", "/static/<path:filename>"): everyone(200, url="/static/css/forum.css"),
    # Discussion (readers need no account; only a comment's author may edit or delete it)
    ("POST", "/articles/<slug>/comments"): everyone(400, url="/articles/{article_slug}/comments"),
    # "Anything new?" from an open page: without a time, refused with a page.
    ("GET", "/articles/<slug>/nouveautes"): everyone(
        400, url="/articles/{article_slug}/nouveautes"
    ),
    ("GET", "/articles/<slug>/comments.atom"): everyone(
        200, url="/articles/{article_slug}/comments.atom"
    ),
    ("GET", "/comments/<int:comment_id>"): everyone(302, url="/comments/{public}"),
    ("GET", "/comments/<int:comment_id>/edit"): everyone(403, url="/comments/{public}/edit"),
    ("POST", "/comments/<int:comment_id>/edit"): everyone(403, url="/comments/{public}/edit"),
    ("POST", "/comments/<int:comment_id>/delete"): everyone(403, url="/comments/{public}/delete"),
    ("GET", "/comments/<int:comment_id>/flag"): everyone(200, url="/comments/{public}/flag"),
    ("POST", "/comments/<int:comment_id>/flag"): everyone(400, url="/comments/{public}/flag"),
    ("POST", "/comments/<int:comment_id>/useful"): everyone(302, url="/comments/{public}/useful"),
    ("POST", "/comments/<int:comment_id>/changed-my-mind"): everyone(
        302, url="/comments/{public}/changed-my-mind"
    ),
    # Staff sign-in
    ("GET", "/staff/login"): Access(200, 200, 302, 302, 200),
    ("POST", "/staff/login"): everyone(400),
    ("POST", "/staff/logout"): staff_action(302),
    ("GET", "/staff/password"): staff_page(),
    ("POST", "/staff/password"): staff_action(400),  # empty form: re-shown with errors
    # Moderation desk
    ("GET", "/moderation"): staff_page(),
    ("POST", "/moderation/comments/<int:comment_id>/<action>"): staff_action(
        url="/moderation/comments/{comment}/approve"
    ),
    ("POST", "/moderation/comments/<int:comment_id>/reject"): staff_action(
        url="/moderation/comments/{comment}/reject", data={"reason": "spam"}
    ),
    ("POST", "/moderation/comments/<int:comment_id>/ban"): staff_action(
        url="/moderation/comments/{comment}/ban", data={"duration": "24h", "reason": "x"}
    ),
    ("POST", "/moderation/bulk"): staff_action(
        data={"action": "approve", "comment_ids": "{comment}"}
    ),
    ("GET", "/moderation/articles"): staff_page(),
    ("POST", "/moderation/articles/<slug>/settings"): staff_action(
        url="/moderation/articles/{article_slug}/settings", data=SETTINGS
    ),
    ("GET", "/moderation/articles/<slug>/integrite"): staff_page(
        url="/moderation/articles/{article_slug}/integrite"
    ),
    ("POST", "/moderation/articles/<slug>/integrite"): staff_action(
        url="/moderation/articles/{article_slug}/integrite", data={"release": "1"}
    ),
    ("GET", "/moderation/bans"): staff_page(),
    ("POST", "/moderation/bans/<int:ban_id>/lift"): staff_action(url="/moderation/bans/{ban}/lift"),
    ("GET", "/moderation/dashboard"): staff_page(),
    ("GET", "/moderation/words"): admin_page(),
    ("POST", "/moderation/words"): admin_action(data={"word": "nouveau", "kind": "banned"}),
    ("POST", "/moderation/words/<int:rule_id>/delete"): admin_action(
        url="/moderation/words/{word}/delete"
    ),
    ("GET", "/moderation/audit"): admin_page(),
    # Operations
    ("GET", "/healthz"): everyone(200),
    # Privacy (a reader's own data; without a reader cookie there is nothing to show)
    ("GET", "/mes-donnees"): everyone(200),
    ("GET", "/mes-donnees.json"): everyone(200),
    ("POST", "/mes-donnees/supprimer"): everyone(400),  # not confirmed: form re-shown
    ("GET", "/confidentialite"): everyone(200),
    # Replies to a reader's comments: their page, their feed address (new or replaced:
    # without a reader cookie, nothing to follow), the feed for whoever holds its token
    ("GET", "/mes-reponses"): everyone(200),
    ("POST", "/mes-reponses/flux"): everyone(303),
    ("GET", "/mes-reponses/<token>.atom"): everyone(404, url="/mes-reponses/" + "x" * 64 + ".atom"),
    # E-mail notices (FORUM_SMTP_URL is unset here: subscribing only says so); the mailed
    # links carry a signed token: a made-up one confirms nothing, unsubscribes no one
    ("POST", "/mes-reponses/courriel"): everyone(303, data={"address": "a@example.org"}),
    ("POST", "/mes-reponses/courriel/supprimer"): everyone(303),
    ("GET", "/mes-reponses/courriel/confirmer/<token>"): everyone(
        404, url="/mes-reponses/courriel/confirmer/faux"
    ),
    ("POST", "/mes-reponses/courriel/confirmer/<token>"): everyone(
        404, url="/mes-reponses/courriel/confirmer/faux"
    ),
    ("GET", "/mes-reponses/courriel/desabonner/<token>"): everyone(
        200, url="/mes-reponses/courriel/desabonner/faux"
    ),
    ("POST", "/mes-reponses/courriel/desabonner/<token>"): everyone(
        200, url="/mes-reponses/courriel/desabonner/faux"
    ),
    # Interface language (a cookie of the browser, then back to the page)
    ("GET", "/langue/<code>"): everyone(303, url="/langue/en?next=/confidentialite"),
}
