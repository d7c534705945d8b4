"""The REST API (``/api/v1``): FastAPI app factory, routers per resource, deps, errors."""
