"""Indexing, selection and sorting.

Example:
    >>> __all__
    []
"""
__all__ = []
