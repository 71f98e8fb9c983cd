"""Staff moderation: the desk, its actions, and the rules applied when readers post."""
