"""``keras.preprocessing.sequence``: ``pad_sequences`` of ``keras.utils`` under its legacy name.

Example:
    >>> pad_sequences([[1, 2, 3], [4]], maxlen=2, padding="post")
    array([[2, 3],
           [4, 0]], dtype=int32)
"""

from kerastorch.utils.sequence_utils import pad_sequences

__all__ = ["pad_sequences"]


def __dir__():
    return sorted(__all__)
