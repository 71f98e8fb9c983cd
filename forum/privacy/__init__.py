"""Readers' own data: see it, download it, erase it; address-hash retention; privacy page."""
