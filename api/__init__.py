"""HTTP layer: FastAPI app factory, JSON API under /api/v1, settings, auth and the CLI."""
