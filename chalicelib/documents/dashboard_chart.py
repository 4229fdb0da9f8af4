"""The dashboard's charts, drawn as SVG by the server: no chart library to ship, nothing run in the browser.

The front shows the SVG as an image (an image's SVG runs no script and loads nothing) beside a table of
the same figures, its text alternative. A viewBox lets it scale to a tablet's width; every bar carries its
figure as text, so no colour is needed to read it. Names are escaped: they are the dealer's users'.
"""
from xml.sax.saxutils import escape

from chalicelib.domain.funnel import Dashboard, FunnelRow

WIDTH = 720
LABEL_WIDTH = 190
BAR_MAX = WIDTH - LABEL_WIDTH - 130
ROW = 30
STEPS = (("sent", "Envoyées"), ("viewed", "Consultées"), ("signed", "Signées"), ("paid", "Acomptes payés"),
         ("handed_over", "Remises"))
INK, BAR, SECOND = "#1f2933", "#1d4ed8", "#0f766e"


def chart(board: Dashboard) -> str:
    parts: list[str] = []
    y = 0
    y = _title(parts, y, "Entonnoir de la concession")
    top = max(board.total.sent, board.total.viewed, 1)
    for attribute, label in STEPS:
        value = getattr(board.total, attribute)
        share = f" ({round(100 * value / board.total.sent)} %)" if board.total.sent else ""
        y = _bar(parts, y, label, value / top, f"{value}{share}", BAR)
    for title, rows in (("Conversion par vendeur (signées ÷ envoyées)", board.sellers),
                        ("Conversion par agence (signées ÷ envoyées)", board.sites)):
        y = _title(parts, y + 10, title)
        if not rows:
            parts.append(_text(0, y + 18, "Aucune activité sur la période."))
            y += ROW
        for row in rows:
            y = _bar(parts, y, row.name, (row.conversion_percent or 0) / 100, _conversion(row), SECOND)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {y + 10}" width="{WIDTH}" '
            f'height="{y + 10}" font-family="system-ui, sans-serif" font-size="14" fill="{INK}">'
            f'<rect width="100%" height="100%" fill="#ffffff"/>{"".join(parts)}</svg>')


def _title(parts: list[str], y: int, text: str) -> int:
    parts.append(f'<text x="0" y="{y + 22}" font-size="16" font-weight="bold">{escape(text)}</text>')
    return y + ROW + 4


def _bar(parts: list[str], y: int, label: str, fraction: float, figure: str, colour: str) -> int:
    length = round(BAR_MAX * min(max(fraction, 0.0), 1.0))
    short = label if len(label) <= 24 else label[:23] + "…"
    parts.append(_text(0, y + 19, short))
    parts.append(f'<rect x="{LABEL_WIDTH}" y="{y + 5}" width="{max(length, 2)}" height="{ROW - 10}" fill="{colour}"/>')
    parts.append(_text(LABEL_WIDTH + max(length, 2) + 8, y + 19, figure))
    return y + ROW


def _text(x: int, y: int, text: str) -> str:
    return f'<text x="{x}" y="{y}">{escape(text)}</text>'


def _conversion(row: FunnelRow) -> str:
    if row.conversion_percent is None:
        return f"— ({row.signed} signée(s), rien d'envoyé)"
    median = f", médiane {_hours(row.median_hours_to_sign)}" if row.median_hours_to_sign is not None else ""
    return f"{row.conversion_percent:g} % ({row.signed}/{row.sent}{median})"


def _hours(hours: float) -> str:
    return f"{hours:g} h" if hours < 48 else f"{hours / 24:.1f} j".replace(".", ",")
