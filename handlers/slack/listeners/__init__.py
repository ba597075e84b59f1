"""Bolt listeners, one module per kind of request; each has an explicit `register(app, ctx)`."""
