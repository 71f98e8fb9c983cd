"""Articles: reading them, and loading them from content files."""
