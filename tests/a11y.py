"""What the accessibility browser tests measure in a page, in real Chromium (issue 16).

Each function takes a Playwright page already loaded (tests/test_browser.py's `_visit`) and
returns plain data, so the tests and the developers' screenshot script share one measure.
- `axe`: axe-core (from npm, node_modules/axe-core: never downloaded at run time), injected
  into the page; the violations as (rule id, impact, number of nodes, first targets).
- `chart_overlaps`: inside each plotly chart, pairs of the parts a reader must see whole
  (legend, toolbar, title, annotations such as subplot titles, axis titles, tick labels,
  colorbars, plotly's own buttons and sliders) whose boxes intersect.
- `sideways_scroll`: whether the page scrolls horizontally.
- `layout`: the first chart's box and the first main-area control's box (viewport px).
- `chart_text`: every visible SVG text in charts: font px and contrast on white.
- `thin_lines`: data lines thinner than a floor and markers smaller than a floor.
- `truncated_navigation`: navigation labels cut with an ellipsis.
- `table_fonts`: the font size of every HTML table cell; the number of canvas tables.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
PHONE = (390, 844)


def axe(page) -> list[tuple[str, str, int, list[str]]]:
    if not AXE.exists():
        raise FileNotFoundError(f"{AXE}: run `npm ci` (make install-dev does)")
    page.add_script_tag(content=AXE.read_text())
    result = page.evaluate("""async () => {
      const r = await axe.run(document, {resultTypes: ['violations']});
      return r.violations.map(v => [v.id, v.impact || '', v.nodes.length,
                                    v.nodes.slice(0, 3).map(n => n.target.join(' '))]);
    }""")
    return [tuple(v) for v in result]


_PARTS_JS = """() => {
  const out = [];
  const box = (el) => { const r = el.getBoundingClientRect();
    return [r.left, r.top, r.right, r.bottom]; };
  const shown = (el) => { const r = el.getBoundingClientRect(); const s = getComputedStyle(el);
    return r.width > 0.5 && r.height > 0.5 && s.visibility !== 'hidden' && s.display !== 'none'
           && parseFloat(s.opacity || '1') > 0; };
  document.querySelectorAll('.js-plotly-plot').forEach((plot, c) => {
    const parts = [];
    const add = (sel, kind) => plot.querySelectorAll(sel).forEach((el, i) => {
      if (shown(el) && (el.tagName !== 'text' || el.textContent.trim()))
        parts.push([kind + '#' + i, kind, box(el), el.textContent.trim().slice(0, 30)]); });
    add('.legend .bg', 'legend');
    add('.modebar-container .modebar', 'toolbar');
    add('.g-gtitle text', 'title');
    add('.annotation-text-g text', 'annotation');
    add('.g-xtitle text, .g-ytitle text, [class^="g-x"][class$="title"] text, '
        + '[class^="g-y"][class$="title"] text', 'axis title');
    add('.xtick text', 'xtick'); add('.ytick text', 'ytick');
    add('.colorbar', 'colorbar');
    add('.updatemenu-container', 'buttons'); add('.slider-container', 'slider');
    out.push([c, parts]);
  });
  return out;
}"""

# Pairs that may touch: a legend's own box holds its entries; ticks of different axes meet at
# the corner of a plot; a colorbar holds its own ticks and title.
_ALLOWED = {frozenset(("xtick", "ytick"))}


def _intersect(a, b, tol: float = 1.0) -> bool:
    return (min(a[2], b[2]) - max(a[0], b[0]) > tol) and (min(a[3], b[3]) - max(a[1], b[1]) > tol)


def chart_overlaps(page) -> list[str]:
    """Human-readable overlaps: 'chart 0: legend#0 × toolbar#0 (…)'."""
    found = []
    for chart, parts in page.evaluate(_PARTS_JS):
        for i, (name_a, kind_a, box_a, text_a) in enumerate(parts):
            for name_b, kind_b, box_b, text_b in parts[i + 1:]:
                if frozenset((kind_a, kind_b)) in _ALLOWED:
                    continue
                if kind_a == kind_b and kind_a in ("legend", "toolbar", "colorbar"):
                    continue
                if _intersect(box_a, box_b):
                    found.append(f"chart {chart}: {name_a} '{text_a}' × {name_b} '{text_b}'")
    return found


def sideways_scroll(page) -> int:
    """How many px the page can scroll sideways (0: none)."""
    return page.evaluate("""() => {
      let most = 0;
      for (const el of [document.scrollingElement,
                        document.querySelector('[data-testid="stMain"]'),
                        document.querySelector('[data-testid="stAppViewContainer"]')]) {
        if (!el) continue;
        const before = el.scrollLeft; el.scrollLeft = 10000;
        most = Math.max(most, el.scrollLeft); el.scrollLeft = before;
      }
      return most;
    }""")


_WIDGETS = ("stSlider", "stSelectbox", "stNumberInput", "stRadio", "stCheckbox",
            "stButtonGroup", "stMultiSelect", "stTextInput", "stTextArea",
            "stSelectSlider", "stToggle")


def layout(page) -> dict:
    """Boxes (viewport px, page scrolled to the top) of the first chart in the main area and
    of the first control in the main area (above the chart, beside it, or stacked under it
    on a phone; None when every control is in the sidebar)."""
    return page.evaluate("""(kinds) => {
      const main = document.querySelector('[data-testid="stMain"]');
      (document.querySelector('[data-testid="stMain"]') || {}).scrollTop = 0;
      window.scrollTo(0, 0);
      const chart = main.querySelector('[data-testid="stPlotlyChart"]');
      const box = (el) => { if (!el) return null; const r = el.getBoundingClientRect();
        return {left: r.left, top: r.top, right: r.right, bottom: r.bottom}; };
      let control = null;
      const sel = kinds.map(k => `[data-testid="${k}"]`).join(',');
      for (const el of main.querySelectorAll(sel)) {
        if (el.getBoundingClientRect().height === 0) continue;
        control = el; break;
      }
      // the sidebar's first control after the lecture toggle (lecture mode puts the main
      // controls there)
      const side = [...document.querySelectorAll(
        '[data-testid="stSidebarUserContent"] ' + sel.split(',').join(
          ', [data-testid="stSidebarUserContent"] '))]
        .filter(el => el.getBoundingClientRect().height > 0
                      && !el.textContent.includes('Lecture mode'));
      return {chart: box(chart), control: box(control), sidebar_control: box(side[0]),
              control_kind: control ? control.dataset.testid : null,
              width: window.innerWidth, height: window.innerHeight};
    }""", list(_WIDGETS))


_TEXT_JS = """() => {
  const lin = (c) => { c /= 255; return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
  const lum = (rgb) => 0.2126 * lin(rgb[0]) + 0.7152 * lin(rgb[1]) + 0.0722 * lin(rgb[2]);
  const parse = (s) => (s.match(/[\\d.]+/g) || [0, 0, 0]).map(Number);
  const out = [];
  document.querySelectorAll('.js-plotly-plot text').forEach((el) => {
    const t = el.textContent.trim();
    const r = el.getBoundingClientRect(), s = getComputedStyle(el);
    if (!t || r.width === 0 || s.visibility === 'hidden' || s.display === 'none') return;
    if (el.closest('.modebar') || el.closest('.hoverlayer')) return;
    // Text over a heatmap/contour cell: plotly picks black or white against the cell itself.
    const onCells = !!el.closest('.heatmaplayer, .contourlayer, .textpoint-on-cells');
    const rgb = parse(s.fill); let a = rgb.length > 3 ? rgb[3] : 1;
    a *= parseFloat(s.fillOpacity || '1') * parseFloat(s.opacity || '1');
    const mixed = rgb.slice(0, 3).map(v => v * a + 255 * (1 - a));
    const ratio = 1.05 / (lum(mixed) + 0.05);
    out.push([t.slice(0, 30), parseFloat(s.fontSize), Math.round(ratio * 100) / 100, onCells]);
  });
  return out;
}"""


def chart_text(page) -> list[tuple[str, float, float, bool]]:
    """(text, font px, contrast ratio on white, drawn on heatmap/contour cells)."""
    return [tuple(t) for t in page.evaluate(_TEXT_JS)]


def thin_lines(page, *, line: float, marker: float) -> list[str]:
    return page.evaluate("""([line, marker]) => {
      const out = [];
      document.querySelectorAll('.js-plotly-plot').forEach((plot, c) => {
        plot.querySelectorAll('.scatterlayer .js-line, .shapelayer path').forEach((el) => {
          const s = getComputedStyle(el), w = parseFloat(s.strokeWidth);
          if (el.getBoundingClientRect().width === 0 || s.stroke === 'none' || w === 0
              || parseFloat(s.strokeOpacity || '1') === 0) return;
          if (w + 0.01 < line) out.push(`chart ${c}: line ${w}px`);
        });
        plot.querySelectorAll('.scatterlayer .point').forEach((el) => {
          const r = el.getBoundingClientRect();
          if (r.width === 0) return;
          const d = Math.max(r.width, r.height);
          if (d + 0.5 < marker) out.push(`chart ${c}: marker ${d.toFixed(1)}px`);
        });
      });
      return [...new Set(out)];
    }""", [line, marker])


def truncated_navigation(page) -> list[str]:
    """Navigation labels (top bar, sidebar) whose text is cut off."""
    return page.evaluate("""() => {
      const out = [];
      const nav = document.querySelectorAll(
        '[data-testid="stTopNav"] *, [data-testid="stSidebarNav"] *, '
        + '[data-testid="stNavSectionHeader"] *');
      for (const el of nav) {
        // Streamlit cuts a label on its box (overflow hidden, text-overflow ellipsis), not on
        // the text's own element.
        if (getComputedStyle(el).textOverflow !== 'ellipsis') continue;
        if (el.getBoundingClientRect().width === 0) continue;
        if (el.scrollWidth > el.clientWidth + 1) out.push(el.textContent.trim().slice(0, 40));
      }
      return [...new Set(out)];
    }""")


def table_fonts(page) -> tuple[list[float], int]:
    return tuple(page.evaluate("""() => [
      [...document.querySelectorAll('[data-testid="stTable"] td, [data-testid="stTable"] th')]
        .filter(el => el.getBoundingClientRect().width > 0)
        .map(el => parseFloat(getComputedStyle(el).fontSize)),
      [...document.querySelectorAll('[data-testid="stDataFrame"]')]
        .filter(el => el.getBoundingClientRect().width > 0).length]"""))


# An app made only of the stock Streamlit widgets and elements the pages use, with the same
# config: what axe-core finds in it is Streamlit's own markup (the baseline).
BASELINE_APP = '''
import plotly.graph_objects as go
import streamlit as st

def body():
    st.title("Baseline")
    st.caption("A caption")
    a, b = st.columns(2)
    a.slider("s", 0, 10, key="s", bind="query-params")
    b.selectbox("c", ["a", "b"], key="c")
    st.plotly_chart(go.Figure(go.Scatter(y=[1, 3, 2], name="y")), theme=None)
    st.caption("Chart: a line")
    st.radio("r", ["a", "b"], horizontal=True, key="r")
    st.segmented_control("g", ["a", "b"], default="a", key="g")
    st.number_input("n", 0, 9, key="n")
    st.multiselect("m", ["a", "b"], default=["a"], key="m")
    st.metric("metric", "1.0", "0.1")
    st.latex("x^2")
    st.table({"a": [1, 2], "b": [3, 4]})
    with st.expander("Expander"):
        st.code("print(1)", language="python", wrap_lines=True)
        st.download_button("Download", "x", file_name="x.txt", on_click="ignore")
    st.toggle("Play", key="p")
    # WCAG 1.4.3 exempts inactive controls; Streamlit draws a disabled label at 40 %.
    st.slider("disabled", 0, 5, key="d", disabled=True)

nav = st.navigation({"Home": [st.Page(body, title="Baseline", url_path="baseline")],
                     "Two": [st.Page(lambda: st.write("two"), title="Two", url_path="two")]},
                    position="top")
st.sidebar.toggle("Lecture mode", key="lecture")
st.sidebar.subheader("Options")
st.sidebar.slider("t", 0, 5, key="t")
nav.run()
'''


def write_baseline_app(folder: Path) -> Path:
    import shutil

    shutil.copytree(ROOT / ".streamlit", folder / ".streamlit", dirs_exist_ok=True)
    (folder / "baseline_app.py").write_text(BASELINE_APP)
    return folder / "baseline_app.py"


def captions_missing(page) -> int:
    """Charts in the page without a "Chart: …" caption after them (their text alternative)."""
    return page.evaluate("""() => {
      let missing = 0;
      for (const chart of document.querySelectorAll('[data-testid="stPlotlyChart"]')) {
        let el = chart.closest('[data-testid="stElementContainer"]'), found = false;
        for (let i = 0; el && i < 3; i++) {
          el = el.nextElementSibling;
          const cap = el && el.querySelector('[data-testid="stCaptionContainer"]');
          if (cap && cap.textContent.trim().startsWith('Chart:')) { found = true; break; }
        }
        if (!found) missing++;
      }
      return missing;
    }""")
