"""``keras.ops.linalg``: (being written)."""
__all__ = []
