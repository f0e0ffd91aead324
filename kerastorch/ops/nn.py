"""``keras.ops.nn``: (being written)."""
__all__ = []
