"""The Network playground in real headless Chromium against a real `streamlit run` server:
the boundary animates on the Play toggle and steps with the arrow keys on the snapshot
slider (the URL keeps the snapshot), a real mouse click on the map adds a point that the URL
keeps, and the layout holds in normal and lecture mode at 1280×720 and on a phone.

Fixtures and helpers from tests/test_browser.py; screenshots go to
artifacts/screenshots/playground-*.png for a human to look at.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from tests.test_browser import SHOTS, _visit, app_url, browser  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser
PHONE = (390, 844)
LAPTOP = (1280, 720)

_IDLE_JS = """() => document.querySelector('[data-testid="stApp"]')
                 ?.getAttribute('data-test-script-state') === 'notRunning'"""
# The boundary map's z as plotted (trace 0's calcdata: GRID rows), a few values of it
_Z_SIG_JS = """(gd) => { const c = gd.calcdata && gd.calcdata[0] && gd.calcdata[0][0];
    if (!c || !c.z) return null;  // mid-redraw: a new snapshot is being drawn
    const z = c.z; return JSON.stringify([z.length, z[10][25], z[25][25], z[40][10]]); }"""
# Page pixels of data point (x, y) on the map's axes (plotly's own axis mapping)
_PIXEL_JS = """(gd, [x, y]) => { const L = gd._fullLayout, r = gd.getBoundingClientRect();
    return [r.left + L.xaxis._offset + L.xaxis.l2p(x),
            r.top + L.yaxis._offset + L.yaxis.l2p(y)]; }"""
# The student's points drawn (plotly keeps a base64 array's values in `_inputArray`)
_YOURS_JS = """(gd) => gd.data.filter(t => (t.name || '').endsWith('· yours'))
    .reduce((n, t) => n + (t.x ? (t.x._inputArray || t.x).length : 0), 0)"""


def _chart(page, key: str = "pick"):
    gd = page.locator(f".st-key-{key} .js-plotly-plot").first
    gd.evaluate("e => e.scrollIntoView({block: 'center'})")
    page.wait_for_timeout(300)
    return gd


def _changes(page, gd, before: str, seconds: float = 6) -> bool:
    """Whether the boundary map's signature moves away from `before` within `seconds`."""
    for _ in range(int(seconds / 0.25)):
        now = gd.evaluate(_Z_SIG_JS)
        if now is not None and now != before:
            return True
        page.wait_for_timeout(250)
    return False


def _points(url: str) -> str | None:
    values = parse_qs(urlsplit(url).query).get("points")
    return values[-1] if values else None


_SLIDER = '.st-key-frame input[type="range"]'  # the snapshot slider's keyboard handle


def _frame(url: str) -> str | None:
    values = parse_qs(urlsplit(url).query).get("frame")
    return values[-1] if values else None


def test_play_animates_the_boundary(browser, app_url):  # noqa: F811
    page, _ = _visit(browser, f"{app_url}/playground", LAPTOP, charts=True)
    try:
        gd = _chart(page)
        before = gd.evaluate(_Z_SIG_JS)
        assert before is not None
        play = page.locator(".st-key-frame_play")
        assert play.get_by_role("checkbox").count() or play.get_by_role("switch").count()
        play.locator("label").first.click()  # the Streamlit "Play" toggle (from the last
        page.wait_for_function("() => document.querySelector('.st-key-frame_play input')"
                               "?.checked === true", timeout=30_000)
        # the toggle reruns the page once (a loaded CI host: seconds), then frames follow
        assert _changes(page, gd, before, 40), "the boundary map did not animate"  # at 0)
        started = gd.evaluate(_Z_SIG_JS)
        assert _changes(page, gd, started, 20), "the boundary map stopped after one frame"
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "playground-playing-1280x720.png"))
        assert not page.locator(".js-plotly-plot .updatemenu-button").count()  # no SVG ones
    finally:
        page.context.close()


def test_the_arrow_keys_step_the_snapshot_and_the_url_keeps_it(browser, app_url):  # noqa: F811
    page, _ = _visit(browser, f"{app_url}/playground", LAPTOP, charts=True)
    try:
        gd = _chart(page)
        before = gd.evaluate(_Z_SIG_JS)
        assert before is not None
        slider = page.locator(_SLIDER)
        slider.focus()
        for _ in range(3):
            page.keyboard.press("ArrowLeft")
        page.wait_for_function("() => location.search.includes('frame=17')", timeout=30_000)
        page.wait_for_function(_IDLE_JS, timeout=60_000)
        assert _changes(page, gd, before), "the boundary map did not step"
        assert page.locator(_SLIDER).input_value() == "17"
        link = page.url
    finally:
        page.context.close()
    page, _ = _visit(browser, link, LAPTOP, charts=True)  # that link: the same snapshot
    try:
        assert _frame(page.url) == "17"
        assert page.locator(_SLIDER).input_value() == "17"
    finally:
        page.context.close()


def test_a_mouse_click_on_the_map_adds_a_point_the_url_keeps(browser, app_url):  # noqa: F811
    page, _ = _visit(browser, f"{app_url}/playground", (1600, 1000), charts=True)
    try:
        assert _points(page.url) is None
        gd = _chart(page)
        assert gd.evaluate(_YOURS_JS) == 0
        px, py = gd.evaluate(_PIXEL_JS, [1.3, -4.6])
        page.mouse.move(px, py)
        page.wait_for_timeout(200)  # plotly picks the hovered point on mouse move
        page.mouse.click(px, py)
        page.wait_for_function("() => location.search.includes('points=')", timeout=30_000)
        page.wait_for_function(_IDLE_JS, timeout=90_000)
        page.wait_for_function(f"() => ({_YOURS_JS})(document.querySelector("
                               "'.st-key-pick .js-plotly-plot')) === 1", timeout=30_000)
        x1, x2, cls = (float(v) for v in _points(page.url).split(","))
        assert abs(x1 - 1.3) <= 0.3 and abs(x2 + 4.6) <= 0.3 and cls == 1, page.url
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "playground-clicked-1600x1000.png"))
        link = page.url
    finally:
        page.context.close()
    page, _ = _visit(browser, link, (1600, 1000), charts=True)  # a new visitor, that link
    try:
        assert _chart(page).evaluate(_YOURS_JS) == 1
        assert _points(page.url) == _points(link)
    finally:
        page.context.close()


@pytest.mark.parametrize(("name", "viewport"), [("1280x720", LAPTOP), ("phone", PHONE)])
@pytest.mark.parametrize("mode", ["normal", "lecture"])
def test_screenshots_and_the_main_figure_above_the_fold(browser, app_url, mode, name,  # noqa: F811
                                                        viewport):
    query = "?lecture=true" if mode == "lecture" else ""
    page, _ = _visit(browser, f"{app_url}/playground{query}", viewport, charts=True)
    try:
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"playground-{mode}-{name}.png"))
        assert page.locator('[data-testid="stException"]').count() == 0
        box = page.locator(".st-key-pick").bounding_box()
        assert box and box["width"] <= viewport[0], box
        if viewport == PHONE:  # the main figure starts on the first screen
            assert box["y"] < viewport[1], box
        if mode == "lecture" and viewport == LAPTOP:  # its control and its top 200 px
            control = page.locator(".st-key-preset").bounding_box()
            assert control and control["y"] + control["height"] <= viewport[1], control
            assert box["y"] + 200 <= viewport[1], (
                f"the boundary figure's top is not visible without scrolling: {box}")
        _chart(page, "network")
        page.screenshot(path=str(SHOTS / f"playground-{mode}-{name}-network.png"))
    finally:
        page.context.close()
