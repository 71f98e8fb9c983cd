"""Staff pages read their page number and filters from the query string without trusting it."""

from __future__ import annotations

import pytest

ODD_NUMBERS = ["²", "١٢", "0", "-1", "99999999999", "abc", ""]


@pytest.mark.parametrize("value", ODD_NUMBERS)
def test_the_queue_shows_its_first_page_for_a_page_number_that_is_not_one(moderator, value):
    response = moderator.client.get("/moderation", query_string={"page": value})
    assert response.status_code == 200
    assert "En attente" in response.get_data(as_text=True)


@pytest.mark.parametrize("value", ODD_NUMBERS)
def test_the_audit_log_ignores_page_numbers_and_ids_that_are_not_ones(admin, value):
    query = {"page": value, "actor": value, "article": value, "comment": value}
    response = admin.client.get("/moderation/audit", query_string=query)
    assert response.status_code == 200
