"""Demo data: `flask --app wsgi demo seed` fills an empty database so every page has something to show."""
