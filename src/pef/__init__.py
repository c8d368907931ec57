"""pef, the Photo Export Fixer: turns a Google Photos Takeout into a clean photo library."""

__version__ = "0.1.0"
