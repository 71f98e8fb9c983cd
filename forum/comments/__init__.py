"""The reader discussion under an article: posting, threads, votes, flags and the feed."""
