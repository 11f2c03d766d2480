"""The accessibility audit of issue 16, as numbers: `python -m benchmarks.a11y [--app DIR]`.

Opens every page in real Chromium on a real server (the app in DIR, default this checkout:
point it at an older checkout for a "before" column) and prints one row per page:
- axe: axe-core violations (rule ids; 1280×720, normal and lecture) beyond those of an app
  made only of the same stock Streamlit widgets (tests/a11y.py's BASELINE_APP);
- phone (390×844): overlapping parts inside charts, sideways scroll (px), the main figure's
  top (px; the first screen ends at 844), whether a control precedes it in the main area;
- lecture 1280×720: the main figure's top and first main-area control's top (px, 720 ends
  the screen), the smallest chart text (px), chart texts under 4.5:1, lines < 3 px or
  markers < 10 px, canvas tables, truncated navigation labels;
- charts without a text alternative (a "Chart: …" caption).
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from benchmarks.server import ROOT, streamlit_server
from dlviz import catalog
from tests import a11y
from tests.test_browser import CHROMIUM, LAUNCH_ARGS, _visit

PAGES = ["home"] + [p.key for p in catalog.live_pages()]


def audit(browser, url: str, key: str) -> dict:
    path, charts = ("", False) if key == "home" else (key, True)
    row: dict = {}
    for mode, query in (("normal", ""), ("lecture", "?lecture=true")):
        page, _ = _visit(browser, f"{url}/{path}{query}", (1280, 720), charts=charts)
        row[f"axe_{mode}"] = sorted({v[0] for v in a11y.axe(page)})
        row.setdefault("no_caption", a11y.captions_missing(page))
        if mode == "lecture":
            lay = a11y.layout(page)
            text = a11y.chart_text(page)
            row["lecture_chart_top"] = lay["chart"] and round(lay["chart"]["top"])
            row["lecture_control_top"] = lay["control"] and round(lay["control"]["top"])
            row["min_chart_px"] = min((t[1] for t in text), default=None)
            row["low_contrast"] = sum(1 for t in text if t[2] < 4.5 and not t[3])
            row["thin"] = len(a11y.thin_lines(page, line=3, marker=10))
            row["canvas_tables"] = a11y.table_fonts(page)[1]
            row["truncated_nav"] = len(a11y.truncated_navigation(page))
        page.context.close()
    page, _ = _visit(browser, f"{url}/{path}", a11y.PHONE, charts=charts)
    lay = a11y.layout(page)
    row["phone_overlaps"] = len(a11y.chart_overlaps(page))
    row["phone_sideways"] = a11y.sideways_scroll(page)
    row["phone_chart_top"] = lay["chart"] and round(lay["chart"]["top"])
    row["phone_control_first"] = lay["control"] is not None
    page.context.close()
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--app", type=Path, default=ROOT, help="checkout to serve")
    parser.add_argument("--pages", nargs="*", default=PAGES)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p, tempfile.TemporaryDirectory() as tmp:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        app = a11y.write_baseline_app(Path(tmp))
        with streamlit_server(app.name, cwd=Path(tmp)) as (url, _):
            baseline = set()
            for query in ("", "?lecture=true"):
                page, _ = _visit(browser, f"{url}/baseline{query}", (1280, 720), charts=True)
                baseline |= {v[0] for v in a11y.axe(page)}
                page.context.close()
        print(f"baseline (stock Streamlit widgets): {sorted(baseline)}")
        with streamlit_server(cwd=args.app) as (url, _):
            for key in args.pages:
                row = audit(browser, url, key)
                for mode in ("normal", "lecture"):
                    row[f"axe_{mode}"] = [r for r in row[f"axe_{mode}"] if r not in baseline]
                print(key, row, flush=True)


if __name__ == "__main__":
    main()
