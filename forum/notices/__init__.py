"""Replies a reader is told about: the notice on the article page, their page, their feed."""
