"""The benchmark scenarios; each returns plain data (printed as a table and written as JSON)."""
