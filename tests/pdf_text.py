"""Reads the text back from an uncompressed fpdf2 PDF (render_quote(..., compress=False)).

fpdf2 writes text in embedded TrueType fonts as 2-byte glyph codes; each font has a
ToUnicode map from code to character. This follows the font selected before each
string, which is all a test needs to assert what a customer would read.
"""
import re

_OBJECT = re.compile(rb"(\d+) 0 obj(.*?)endobj", re.S)
_BFCHAR = re.compile(rb"<([0-9A-Fa-f]{4})>\s*<([0-9A-Fa-f]+)>")
_FONT_ENTRY = re.compile(rb"/(F\d+) (\d+) 0 R")
_STRING = rb"\((?:\\.|[^\\)])*\)"
# A font selection, a string shown (Tj), an array of strings and kerning shown (TJ: justified text), an ET.
_TOKENS = re.compile(rb"/(F\d+) [\d.]+ Tf|" + _STRING + rb" Tj|\[((?:" + _STRING + rb"|[^\](])*)\] TJ|\bET\b", re.S)
_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f", b"(": b"(", b")": b")", b"\\": b"\\"}


def _unescape(literal: bytes) -> bytes:
    out, i = bytearray(), 0
    while i < len(literal):
        char = literal[i:i + 1]
        if char == b"\\":
            following = literal[i + 1:i + 2]
            octal = re.match(rb"[0-7]{1,3}", literal[i + 1:i + 4])
            if octal:
                out.append(int(octal.group(), 8) & 0xFF)
                i += 1 + len(octal.group())
                continue
            out += _ESCAPES.get(following, following)
            i += 2
            continue
        out += char
        i += 1
    return bytes(out)


def text(pdf: bytes) -> str:
    """The document's words in reading order, separated by single spaces (no-break spaces too)."""
    objects = {int(m.group(1)): m.group(2) for m in _OBJECT.finditer(pdf)}
    maps: dict[int, dict[int, str]] = {}
    for number, body in objects.items():
        found = re.search(rb"/ToUnicode (\d+) 0 R", body)
        if found:
            cmap = objects[int(found.group(1))]
            maps[number] = to_unicode(cmap)
    fonts = {name.decode(): maps.get(int(number), {}) for name, number in _FONT_ENTRY.findall(pdf)}
    return drawn_text(pdf, fonts)


def to_unicode(cmap: bytes) -> dict[int, str]:
    """A font's ToUnicode map: glyph code → characters."""
    return {int(code, 16): bytes.fromhex(uni.decode()).decode("utf-16-be") for code, uni in _BFCHAR.findall(cmap)}


def drawn_text(content: bytes, fonts: dict[str, dict[int, str]]) -> str:
    """The words a content stream draws, each string read through the map of the font selected before it."""
    pieces, current = [], {}
    for token in _TOKENS.finditer(content):
        raw = token.group(0)
        if token.group(1):
            current = fonts.get(token.group(1).decode(), {})
        elif raw == b"ET":
            pieces.append("\n")
        else:
            shown = token.group(2)
            strings = re.findall(_STRING, shown) if shown is not None else [raw[:raw.rindex(b")") + 1]]
            for string in strings:
                data = _unescape(string[1:-1])
                pieces.append("".join(current.get(int.from_bytes(data[i:i + 2], "big"), "?")
                                      for i in range(0, len(data) - 1, 2)))
    return " ".join("".join(pieces).replace("\u00a0", " ").split())


def last_page_text(pdf: bytes, page: int = -1) -> str:
    """The text drawn on the last page (or `page`) of a signed PDF (the certificate, appended as one form XObject
    a page), read through its fonts' ToUnicode maps as a PDF reader's copy and search do."""
    from io import BytesIO

    from pyhanko.pdf_utils.reader import PdfFileReader

    _, resources = PdfFileReader(BytesIO(pdf)).find_page_for_modification(page)
    drawing = resources["/XObject"]["/Page"]
    fonts = {str(name).lstrip("/"): to_unicode(font.get_object()["/ToUnicode"].data)
             for name, font in drawing["/Resources"]["/Font"].items()}
    return drawn_text(drawing.data, fonts)

