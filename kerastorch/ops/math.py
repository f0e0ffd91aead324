"""``keras.ops.math``: (being written)."""
__all__ = []
