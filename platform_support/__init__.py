"""Small cross-cutting pieces every domain uses: time, tokens, database dialect glue."""
