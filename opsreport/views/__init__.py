"""Report views: the sections a notebook displays, composed from viz charts, tables and sentences."""
