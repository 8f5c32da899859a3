"""The JSON API, version 1: its routes, the OpenAPI contract they are tested against, CORS and
caching, and rate limits. Never imports a page."""
