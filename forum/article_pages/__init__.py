"""The article pages: the list, one article with its poll and discussion, above the areas."""
