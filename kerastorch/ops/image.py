"""``keras.ops.image``: (being written)."""
__all__ = []
