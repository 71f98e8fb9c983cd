"""The interface language: each reader's choice (a cookie), else Accept-Language, else the
default; the switch between languages; the headers that tell caches which one a page is in."""
