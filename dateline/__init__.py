"""Dateline: crawled news pages into clean, structured, searchable records."""
