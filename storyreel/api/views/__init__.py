"""How each resource looks through the API: its response schemas and the functions that build
them from rows, one module per resource (the routers import what they answer with)."""
