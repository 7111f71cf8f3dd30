"""Pure analysis functions: warehouse data in, result objects out."""
