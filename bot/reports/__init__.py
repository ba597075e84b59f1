"""Renderers of the crisis report (flows/report.py computes its figures): Markdown, HTML
with an inline SVG chart, and the bitácora as CSV. `bot/report.py` loads and renders."""
