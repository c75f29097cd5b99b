"""Email: rows written with their cause (outbox), rendered and sent by the worker (delivery)."""
