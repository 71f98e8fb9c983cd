"""The credibility and relevance poll attached to an article."""
