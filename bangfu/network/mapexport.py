"""Turn the network map's SVG into a one-page PDF (WeasyPrint) and a PNG (pdfium)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from xml.sax.saxutils import escape

PAGE_MARGIN_MM = 10


@dataclass(frozen=True)
class Paper:
    name: str
    width_mm: int  # landscape
    height_mm: int

    @property
    def printable_ratio(self) -> float:
        return (self.width_mm - 2 * PAGE_MARGIN_MM) / (self.height_mm - 2 * PAGE_MARGIN_MM)


PAPERS = {"A4": Paper("A4", 297, 210), "A3": Paper("A3", 420, 297)}


def paper_from(value: str | None) -> Paper:
    """Return the paper named `value` (A4 or A3, any case); A4 for anything else."""
    return PAPERS.get((value or "").upper(), PAPERS["A4"])


def map_pdf(svg: str, *, title: str, paper: Paper) -> bytes:
    """Return a one-page landscape PDF holding `svg` scaled to the printable area."""
    from weasyprint import HTML

    width = paper.width_mm - 2 * PAGE_MARGIN_MM
    # A hair under the printable height, so rounding never spills onto a second page.
    height = paper.height_mm - 2 * PAGE_MARGIN_MM - 1
    html = f"""<!DOCTYPE html>
<html lang="zh-Hans"><head><meta charset="utf-8"><title>{escape(title)}</title>
<style>
@page {{ size: {paper.name} landscape; margin: {PAGE_MARGIN_MM}mm }}
html, body {{ margin: 0; padding: 0; font-family: "Noto Sans CJK SC", sans-serif; }}
svg.bf-network-map {{ display: block; width: {width}mm; height: {height}mm; }}
</style></head><body>{svg}</body></html>"""
    return bytes(HTML(string=html).write_pdf())


def pdf_to_png(pdf: bytes, *, dpi: int = 150) -> bytes:
    """Return the PDF's first page as a PNG at `dpi`."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf)
    try:
        page = document[0]
        image = page.render(scale=dpi / 72).to_pil()
        page.close()
    finally:
        document.close()
    out = io.BytesIO()
    image.save(out, format="PNG", dpi=(dpi, dpi))
    return out.getvalue()
