"""A small bitmap font (5 x 7 pixel glyphs for printable ASCII) and ``draw_text``, which writes a line of text into an
image array: what ``draw_bounding_boxes`` labels boxes with, without OpenCV or a font file.

Each glyph is 7 rows of 5 bits (the high bit the leftmost pixel), drawn ``scale`` times larger, one blank column
between characters; characters outside printable ASCII are drawn as ``?``. ``thickness`` above 1 widens the
strokes by ``thickness - 1`` pixels (right and down).

Example:
    >>> image = np.zeros((7, 11), dtype="uint8")
    >>> draw_text(image, "Hi", 0, 0, 1)
    >>> for row in image: print("".join("#" if value else "." for value in row))
    #...#...#..
    #...#......
    #...#..##..
    #####...#..
    #...#...#..
    #...#...#..
    #...#..###.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

__all__ = ["GLYPH_HEIGHT", "GLYPH_WIDTH", "draw_text", "glyph", "text_mask", "text_size"]

GLYPH_WIDTH, GLYPH_HEIGHT = 5, 7
"""The glyphs' size in font pixels (a character advances ``GLYPH_WIDTH + 1``)."""

_GLYPHS = (  # 95 glyphs from " " to "~", 7 hex bytes (rows) each
    "00000000000000040404040400040A0A0A000000000A0A1F0A1F0A0A040F140E051E04181902040813030C12140815120D0C040800000000"
    "02040808080402080402020204080004150E1504000004041F040400000000000C04080000001F00000000000000000C0C00010204081000"
    "0E11131519110E040C040404040E0E11010204081F1F02040201110E02060A121F02021F101E0101110E0608101E11110E1F010204080808"
    "0E11110E11110E0E11110F01020C000C0C000C0C00000C0C000C04080204081008040200001F001F0000080402010204080E110102040004"
    "0E11010D15150E0E1111111F11111E11111E11111E0E11101010110E1C12111111121C1F10101E10101F1F10101E1010100E11101711110F"
    "1111111F1111110E04040404040E0702020202120C111214181412111010101010101F111B1515111111111119151311110E11111111110E"
    "1E11111E1010100E11111115120D1E11111E1412110F10100E01011E1F0404040404041111111111110E11111111110A041111111515150A"
    "11110A040A11111111110A0404041F01020408101F0E08080808080E001008040201000E02020202020E040A11000000000000000000001F"
    "0804020000000000000E010F110F1010161911111E00000E1010110E01010D1311110F00000E111F100E0609081C080808000F11110F010E"
    "1010161911111104000C0404040E0200060202120C101012141814120C04040404040E00001A151511110000161911111100000E1111110E"
    "00001E111E101000000D130F01010000161910101000000E100E011E08081C080809060000111111130D00001111110A040000111115150A"
    "0000110A040A11000011110F010E00001F0204081F02040408040402040404040404040804040204040800000815020000"
)


def glyph(character: str) -> np.ndarray:
    """The bitmap of one character.

    Args:
        character: str of length 1 (anything outside printable ASCII becomes ``"?"``).

    Returns:
        A bool NumPy array of shape ``(7, 5)``, True where the glyph is inked.

    >>> glyph("-").astype(int)[3].tolist()
    [1, 1, 1, 1, 1]
    """
    code = ord(character)
    index = code - 32 if 32 <= code < 127 else ord("?") - 32
    rows = bytes.fromhex(_GLYPHS[14 * index : 14 * index + 14])
    return np.array(
        [[(row >> (GLYPH_WIDTH - 1 - column)) & 1 for column in range(GLYPH_WIDTH)] for row in rows], dtype=bool
    )


def text_size(text: str, scale: int = 1, thickness: int = 1) -> tuple[int, int]:
    """The ``(width, height)`` in pixels that ``draw_text`` covers.

    Args:
        text: str, one line.
        scale: positive int, default 1: the size of a font pixel, in image pixels.
        thickness: positive int, default 1: the stroke thickness.

    Returns:
        A pair of ints (``(0, 0)`` for empty text).

    >>> text_size("cat", scale=2)
    (34, 14)
    """
    if not text:
        return 0, 0
    width = (len(text) * (GLYPH_WIDTH + 1) - 1) * scale + thickness - 1
    return width, GLYPH_HEIGHT * scale + thickness - 1


def text_mask(text: str, scale: int = 1, thickness: int = 1) -> np.ndarray:
    """The inked pixels of ``text`` as drawn by ``draw_text``.

    Args:
        text: str, one line.
        scale: positive int, default 1: the size of a font pixel, in image pixels.
        thickness: positive int, default 1: the stroke thickness.

    Returns:
        A bool NumPy array of shape ``(height, width)`` (see ``text_size``).

    >>> text_mask("|").astype(int)[:, 2].tolist()
    [1, 1, 1, 1, 1, 1, 1]
    """
    width, height = text_size(text, scale, thickness)
    mask = np.zeros((height, width), dtype=bool)
    for i, character in enumerate(text):
        left = i * (GLYPH_WIDTH + 1) * scale
        block = np.kron(glyph(character), np.ones((scale, scale), dtype=bool))
        for dy in range(thickness):
            for dx in range(thickness):
                target = mask[dy : dy + block.shape[0], left + dx : left + dx + block.shape[1]]
                target |= block
    return mask


def draw_text(
    image: np.ndarray, text: str, x: int, y: int, color: float | Sequence[float], scale: int = 1, thickness: int = 1
) -> None:
    """Writes ``text`` into ``image`` in place, its top-left corner at column ``x`` and row ``y`` (the part outside
    the image is cut off).

    Args:
        image: NumPy array of shape ``(height, width)`` or ``(height, width, channels)``, modified in place.
        text: str, one line.
        x: int, the column of the text's left edge (may be negative).
        y: int, the row of the text's top edge (may be negative).
        color: number or sequence of numbers (one per channel): the ink.
        scale: positive int, default 1: the size of a font pixel, in image pixels.
        thickness: positive int, default 1: the stroke thickness.

    >>> image = np.zeros((3, 8, 3), dtype="uint8")
    >>> draw_text(image, "-", 1, -2, (255, 0, 0))
    >>> image[1, :, 0].tolist()
    [0, 255, 255, 255, 255, 255, 0, 0]
    """
    mask = text_mask(text, scale, thickness)
    top, left = max(y, 0), max(x, 0)
    bottom, right = min(y + mask.shape[0], image.shape[0]), min(x + mask.shape[1], image.shape[1])
    if bottom <= top or right <= left:
        return
    visible = mask[top - y : bottom - y, left - x : right - x]
    region = image[top:bottom, left:right]
    region[visible] = color
