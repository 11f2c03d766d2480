"""Home: the course map, chapter → concept → page, with what each page shows."""

import streamlit as st

from dlviz import catalog, ui

ui.ensure_shell()
lecture = ui.is_lecture()
st.title("dlviz · deep learning with PyTorch, made visible")
ui.show_notices()  # a link's unusable shell settings (?lecture=…)
ui.explain(
    "One page per concept of *Introduction to Deep Learning with PyTorch*. Every number comes "
    "from real torch, every page's state is in its URL, and every page shows the script that "
    "prints its numbers.",
    "Pick a page below or from the chapter menus at the top; for a projector, turn on "
    "**Lecture mode** in the sidebar (on a phone, the pages and the switch are both behind "
    "the » button at the top left). Bookmark any page to come back to exactly that picture "
    "(the seed is in the link).",
)

for chapter, name in catalog.CHAPTERS.items():
    st.header(f"Chapter {chapter} · {name}")  # h2 under the title
    for spec in (p for p in catalog.PAGES if p.chapter == chapter):
        if spec.live:
            # The title alone as the link: a link's label does not wrap, and with the concept
            # it ran off a phone's screen; the concept follows as a caption.
            st.page_link(spec.file, label=f"**{spec.title}**", icon=spec.icon)
            st.caption(spec.concept if lecture else f"{spec.concept} — {spec.blurb}")
        else:
            st.markdown(f"{spec.title} — {spec.concept} · *to come*")
