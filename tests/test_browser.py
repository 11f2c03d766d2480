"""Every page in real headless Chromium against a real `streamlit run` server.

Debian's chromium (/usr/bin/chromium) driven by Playwright for Python; no browser is ever
downloaded. Screenshots go to artifacts/screenshots/ (git-ignored) for a human to look at.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from benchmarks.server import ROOT, streamlit_server
from dlviz import catalog, style
from tests import a11y

pytestmark = pytest.mark.browser
CHROMIUM = "/usr/bin/chromium"
SHOTS = ROOT / "artifacts" / "screenshots"
VIEWPORTS = {"1920x1080": (1920, 1080), "1280x720": (1280, 720), "390x844": a11y.PHONE}
# (key, url path, is a concept page): the home page and every live catalog page.
# The home page is the default page: it lives at the root URL.
PAGES = [("home", "", False)] + [(p.key, p.url_path, True) for p in catalog.live_pages()]
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-quic", "--no-first-run",
               "--disable-sync"]
MIN_LECTURE_PX = 18
PHONE_CONTROL_GAP = 400  # px: a phone's main controls sit above the figure or right under it

# Smallest computed font size of visible text in the app (HTML and plotly's SVG text).
_MIN_FONT_JS = """() => {
  const root = document.querySelector('[data-testid="stApp"]');
  let min = 1e9, where = '';
  const visible = (el) => {
    const r = el.getBoundingClientRect(), s = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none'
           && parseFloat(s.opacity || '1') > 0 && !el.closest('[aria-hidden="true"]')
           && !el.closest('.modebar') && !el.closest('[data-testid="stTooltipContent"]')
           && !(el.closest('details:not([open])') && !el.closest('summary'));
  };
  for (const el of root.querySelectorAll('*')) {
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (!own || !visible(el)) continue;
    const px = parseFloat(getComputedStyle(el).fontSize);
    if (px < min) { min = px; where = el.tagName + ': ' + el.textContent.trim().slice(0, 40); }
  }
  return [min, where];
}"""


def _normalise(message: str) -> str:
    # Ports, line numbers and the page's own path (the frontend first probes
    # /<page>/_stcore/health on a deep link, as it does for any Streamlit app) are not errors
    # of ours: normalise them so the baseline matches.
    message = re.sub(r"127\.0\.0\.1:\d+/[\w-]+/_stcore", "HOST/PAGE/_stcore", message)
    return re.sub(r"127\.0\.0\.1:\d+|:\d+:\d+|\b\d+\b", "#", message)


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian chromium is missing: apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def app_url():
    with streamlit_server() as (url, _):
        yield url


def _visit(browser, url: str, viewport: tuple[int, int], *, charts: bool,
           ready: str = "Lecture mode") -> tuple:
    """Open `url`, wait for the script run and the charts; return (page, console errors)."""
    w, h = viewport
    context = browser.new_context(viewport={"width": w, "height": h})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
    page.on("response", lambda r: errors.append(f"HTTP {r.status} {r.url}")
            if r.status >= 400 else None)
    page.on("requestfailed", lambda r: errors.append(f"request failed: {r.url}"))
    page.goto(url, wait_until="domcontentloaded")
    # The entry script has run once the navigation (not the bare file list shown before it)
    # and the lecture toggle are drawn; then wait for the page's run to finish.
    page.get_by_text(ready, exact=True).first.wait_for(timeout=90_000)
    page.wait_for_function(
        """() => document.querySelector('[data-testid="stApp"]')
                 ?.getAttribute('data-test-script-state') === 'notRunning'""", timeout=90_000)
    page.wait_for_timeout(300)
    if charts:
        page.wait_for_function(
            """() => { const n = document.querySelectorAll('[data-testid="stPlotlyChart"]').length;
                       return n > 0 && document.querySelectorAll('.js-plotly-plot .main-svg')
                              .length >= n; }""", timeout=60_000)
    page.wait_for_timeout(600)  # fonts and plotly's relayout settle
    return page, errors


@pytest.fixture(scope="module")
def baseline_errors(browser, tmp_path_factory) -> set[str]:
    """Console errors that an empty one-slider Streamlit app shows with the same config."""
    folder = tmp_path_factory.mktemp("empty_app")
    shutil.copytree(ROOT / ".streamlit", folder / ".streamlit")
    (folder / "app.py").write_text(
        "import streamlit as st\nst.slider('x', 0, 10, key='x', bind='query-params')\n")
    with streamlit_server("app.py", cwd=folder) as (url, _):
        page, errors = _visit(browser, f"{url}/deep-link?x=3", (1280, 720), charts=False,
                              ready="x")
        page.context.close()
    return {_normalise(e) for e in errors}


@pytest.fixture(scope="module")
def baseline_axe(browser, tmp_path_factory) -> set[str]:
    """axe-core's rules that fail on an app made only of the stock Streamlit widgets and
    elements the pages use (tests/a11y.py's BASELINE_APP), normal and lecture-sized."""
    folder = tmp_path_factory.mktemp("baseline_app")
    app = a11y.write_baseline_app(folder)
    found: set[str] = set()
    with streamlit_server(app.name, cwd=folder) as (url, _):
        for query in ("", "?lecture=true"):
            page, _ = _visit(browser, f"{url}/baseline{query}", (1280, 720), charts=True)
            found |= {v[0] for v in a11y.axe(page)}
            page.context.close()
    return found


@pytest.mark.parametrize("viewport", list(VIEWPORTS), ids=str)
@pytest.mark.parametrize("mode", ["normal", "lecture"])
@pytest.mark.parametrize(("key", "url_path", "concept"), PAGES, ids=[p[0] for p in PAGES])
def test_page_in_chromium(browser, app_url, baseline_errors, baseline_axe, key, url_path,
                          concept, mode, viewport):
    query = "?lecture=true" if mode == "lecture" else ""
    width, height = VIEWPORTS[viewport]
    phone = (width, height) == a11y.PHONE
    page, errors = _visit(browser, f"{app_url}/{url_path}{query}", (width, height),
                          charts=concept)
    try:
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{key}-{mode}-{viewport}.png"),
                        full_page=mode == "normal")
        assert page.locator('[data-testid="stException"]').count() == 0, "exception shown"
        if concept:
            assert page.locator(".js-plotly-plot").count() >= 1, "no rendered chart"
            assert a11y.captions_missing(page) == 0, "a chart without its 'Chart: …' caption"
        new = {_normalise(e) for e in errors} - baseline_errors
        assert not new, f"console errors beyond an empty app's: {sorted(new)[:5]}"
        text = a11y.chart_text(page)
        faint = sorted({(t, c) for t, _, c, on_cells in text if c < 4.5 and not on_cells})
        assert not faint, f"chart text under 4.5:1 on white: {faint[:5]}"
        assert not a11y.truncated_navigation(page), "a navigation label is cut off"
        if (width, height) == (1280, 720):
            extra = {v[0]: v for v in a11y.axe(page) if v[0] not in baseline_axe}
            assert not extra, f"axe-core beyond stock Streamlit's: {list(extra.values())[:3]}"
        if mode == "lecture" and not phone:  # lecture mode is sized for projectors
            min_px, where = page.evaluate(_MIN_FONT_JS)
            assert min_px >= MIN_LECTURE_PX, f"lecture text at {min_px}px: {where}"
            thin = a11y.thin_lines(page, line=style.LECTURE_MIN_LINE,
                                   marker=style.LECTURE_MIN_MARKER)
            assert not thin, f"lecture lines/markers too thin: {thin[:5]}"
            fonts, canvases = a11y.table_fonts(page)
            assert canvases == 0, "a canvas-drawn table (st.dataframe) in lecture mode"
            assert min(fonts, default=MIN_LECTURE_PX) >= MIN_LECTURE_PX, (
                f"table text at {min(fonts)}px")
            if concept and not phone:
                box = page.locator('[data-testid="stPlotlyChart"]').first.bounding_box()
                assert box and box["y"] + box["height"] <= height + 1, (
                    f"main figure not fully visible without scrolling: {box}")
                # lecture mode draws the main controls at the top of the sidebar
                lay = a11y.layout(page)
                shown = [c for c in (lay["control"], lay["sidebar_control"])
                         if c and c["bottom"] <= height + 1 and c["top"] >= 0]
                assert shown, f"the main figure's first control is not on the screen: {lay}"
        if phone:
            assert a11y.sideways_scroll(page) == 0, "the page scrolls sideways on a phone"
            if concept:
                lay = a11y.layout(page)
                assert lay["chart"]["top"] < height, f"main figure below the first screen: {lay}"
            # A phone is read in normal mode. Lecture mode is sized for a projector (22-px chart
            # text, controls in the sidebar): on a phone it keeps the checks above, not these.
            if concept and mode == "normal":
                overlaps = a11y.chart_overlaps(page)
                assert not overlaps, f"parts of a chart overlap on a phone: {overlaps[:4]}"
                assert lay["control"] is not None, "no control in the main area (sidebar only)"
                assert lay["control"]["top"] < lay["chart"]["bottom"] + PHONE_CONTROL_GAP, (
                    f"the main controls are far from the main figure: {lay}")
    finally:
        page.context.close()


def test_lecture_mode_stays_in_the_url_across_page_switches(browser, app_url):
    page, _ = _visit(browser, f"{app_url}/?lecture=true", (1280, 720), charts=False)
    try:
        target = catalog.live_pages()[0]
        # the navigation bar at the top: the chapter's menu, then the page
        chapter = f"{target.chapter} · {catalog.CHAPTER_TABS[target.chapter]}"
        page.locator('[data-testid="stTopNavSection"]', has_text=chapter).first.click()
        page.locator('[data-testid="stTopNavDropdownLink"]', has_text=target.title).first.click()
        page.wait_for_url(re.compile(rf"/{target.url_path}\b"), timeout=30_000)
        page.wait_for_timeout(1500)
        assert "lecture=true" in page.url
        assert page.locator('[data-testid="stSidebar"] input[type="checkbox"]').first.is_checked()
    finally:
        page.context.close()


def test_deep_link_on_a_fresh_server(browser):
    """The first visitor of a just-started (or woken) server arrives through a deep link."""
    target = catalog.live_pages()[-1]
    with streamlit_server() as (url, _):
        page, errors = _visit(browser, f"{url}/{target.url_path}?lecture=true", (1280, 720),
                              charts=True)
        try:
            assert page.get_by_role("heading", name=target.title).count() >= 1
            assert page.get_by_text("Page not found").count() == 0
            assert page.locator('[data-testid="stException"]').count() == 0
            assert not [e for e in errors if "does not seem to exist" in e]
        finally:
            page.context.close()


_ANIMATED_JS = """() => [...document.querySelectorAll('.js-plotly-plot')]
    .map((gd, i) => [i, (gd._transitionData?._frames || []).length
                        + gd.querySelectorAll('.updatemenu-button, .slider-container').length])
    .filter(([, n]) => n > 0).map(([i]) => i)"""
_DATA_SIG_JS = """() => JSON.stringify([...document.querySelectorAll('.js-plotly-plot')].map(
    gd => gd.data.map(t => [t.x, t.y, t.z].map(a => a && a.length
        ? [a.length, a[0], a[a.length - 1]] : a))))"""
# The player's step slider: the first slider after the "Play" toggle (same fragment).
_STEP_JS = """() => { const play = [...document.querySelectorAll('[data-testid="stCheckbox"]')]
    .find(e => e.textContent.includes('Play'));
  if (!play) return null;
  const all = [...document.querySelectorAll('[data-testid="stSlider"] input[type="range"]')];
  const s = all.find(e => play.compareDocumentPosition(e) & Node.DOCUMENT_POSITION_FOLLOWING);
  return s ? [Number(s.value), Number(s.min), Number(s.max)] : null; }"""
_IDLE_JS = """() => document.querySelector('[data-testid="stApp"]')
                 ?.getAttribute('data-test-script-state') === 'notRunning'"""
ANIMATED = ("surfaces", "lr_momentum", "training_loop", "playground")


def _settle(page, frame: int | None = None) -> None:
    """Wait for the rerun a key press caused (and, given `frame`, for the slider to show it:
    a fragment rerun under load can take longer than a fixed pause)."""
    page.wait_for_timeout(400)
    if frame is not None:
        page.wait_for_function(f"() => ({_STEP_JS})()?.[0] === {frame}", timeout=20_000)
    page.wait_for_function(
        """() => document.querySelector('[data-testid="stApp"]')
                 ?.getAttribute('data-test-script-state') === 'notRunning'""", timeout=60_000)
    page.wait_for_timeout(800)


@pytest.mark.parametrize(("key", "url_path"), [(k, u) for k, u, concept in PAGES if concept],
                         ids=[k for k, _, concept in PAGES if concept])
def test_animations_step_and_play_from_the_keyboard(browser, app_url, key, url_path):
    """No plotly SVG animation controls (no tab stop); a page's animation is a Streamlit step
    slider (arrow keys, Home, End) and a Play toggle (Space), and the frame is in the URL."""
    page, _ = _visit(browser, f"{app_url}/{url_path}", (1280, 720), charts=True)
    try:
        assert page.evaluate(_ANIMATED_JS) == [], "a figure still has plotly animation controls"
        step = page.evaluate(_STEP_JS)
        if key not in ANIMATED:
            assert step is None
            return
        assert step is not None, "no Play toggle with a step slider"
        value, lo, hi = step
        assert hi > lo
        slider = page.locator('[data-testid="stSlider"] input[type="range"]').nth(page.evaluate(
            """() => { const play = [...document.querySelectorAll('[data-testid="stCheckbox"]')]
              .find(e => e.textContent.includes('Play'));
              return [...document.querySelectorAll('[data-testid="stSlider"] input[type="range"]')]
              .findIndex(e => play.compareDocumentPosition(e)
                              & Node.DOCUMENT_POSITION_FOLLOWING); }"""))
        before = page.evaluate(_DATA_SIG_JS)
        slider.focus()
        page.keyboard.press("Home")
        _settle(page, lo)
        at_start = page.evaluate(_DATA_SIG_JS)
        assert at_start != before, "Home on the step slider did not change the figure"
        page.keyboard.press("ArrowRight")
        _settle(page, lo + 1)
        one, link = page.evaluate(_DATA_SIG_JS), page.url
        assert one != at_start, "ArrowRight did not advance the figure"
        # the link the keys produced reproduces the frame
        reloaded, _ = _visit(browser, link, (1280, 720), charts=True)
        try:
            assert reloaded.evaluate(_STEP_JS)[0] == lo + 1
            assert reloaded.evaluate(_DATA_SIG_JS) == one
        finally:
            reloaded.context.close()
        toggle = page.locator('[data-testid="stCheckbox"]', has_text="Play").locator("input")
        toggle.focus()
        page.keyboard.press("Space")
        page.wait_for_timeout(3000)
        assert page.evaluate(_STEP_JS)[0] > lo + 1, "Play did not advance the frame"
        assert page.evaluate(_DATA_SIG_JS) != one
        page.keyboard.press("Space")  # pause
        _settle(page)
        paused = page.evaluate(_STEP_JS)[0]
        page.wait_for_timeout(2000)
        assert page.evaluate(_STEP_JS)[0] == paused, "Pause did not stop the frames"
    finally:
        page.context.close()


def test_a_click_downloads_the_chart_data_and_the_script(browser, app_url):
    """The downloads are made on the click (deferred): a student's click in Chromium gets
    the chart's every row as CSV and the page's whole script, with their file names."""
    import csv
    import io

    page, errors = _visit(browser, f"{app_url}/training_loop?epochs=7", (1280, 720),
                          charts=True)
    try:
        page.get_by_text("Chart data", exact=False).first.click()
        button = page.get_by_role("button", name="Download the data (CSV)").first
        button.wait_for(timeout=30_000)
        # a rerun renews a deferred download's id: click the one the finished run drew
        page.wait_for_function(_IDLE_JS, timeout=60_000)
        with page.expect_download(timeout=60_000) as got:
            button.click()
        download = got.value
        assert download.suggested_filename.endswith(".csv")
        rows = list(csv.reader(io.StringIO(Path(download.path()).read_text())))
        assert len(rows) >= 2 and all(len(r) == len(rows[0]) for r in rows), rows[:3]
        # A second download from the same tab may be held by Chromium's "download multiple
        # files" permission (no prompt when headless) once the first one came after a
        # websocket round trip: the script is downloaded from a fresh tab, as a student who
        # allowed it would.
        page.context.close()
        first_errors = errors
        page, errors = _visit(browser, f"{app_url}/training_loop?epochs=7", (1280, 720),
                              charts=True)
        errors = first_errors + errors
        page.get_by_text("Reproduce in PyTorch", exact=True).first.click()
        script = page.get_by_role("button", name="Download script").first
        script.wait_for(timeout=30_000)
        page.wait_for_function(_IDLE_JS, timeout=60_000)
        with page.expect_download(timeout=60_000) as got:
            script.click()
        name = got.value.suggested_filename
        assert name.endswith(".py")
        compile(Path(got.value.path()).read_text(), name, "exec")  # a whole script
        # (the frontend's probes of /<page>/_stcore/… on a deep link 404 on any Streamlit app)
        assert not [e for e in errors if "/media/" in e or "request failed" in e], errors
    finally:
        page.context.close()
