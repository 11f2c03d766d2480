"""dlviz: the app shell. Run with `streamlit run streamlit_app.py`.

Navigation comes from `dlviz.catalog`: every page whose file exists is registered under its
course chapter with an explicit, bookmarkable `url_path`.
"""

import os

# Before torch loads: OpenMP's default thread count applies to every script-runner thread,
# not only to the one that calls torch.set_num_threads.
os.environ.setdefault("OMP_NUM_THREADS", "1")

import streamlit as st  # noqa: E402
import torch  # noqa: E402

from dlviz import catalog, memory, optim, ui, workers  # noqa: E402

# Fewer malloc arenas for the many script threads (dlviz.memory): RSS then follows what the
# byte-bounded caches hold instead of each thread's high-water mark. Idempotent.
memory.limit_arenas()

# Many sessions share one server process: one intra-op thread each keeps them from
# fighting over the cores (and small tensors gain nothing from more). Each run happens on
# a script-runner thread, so this is checked on every run.
if torch.get_num_threads() != 1:
    torch.set_num_threads(1)

# Once per server process, on the first visit: a first optimizer step's one-time costs are
# paid on a background thread while the visitor reads the course map; then what the process
# has imported leaves the garbage collector's full walks (dlviz.memory.freeze_startup).
optim.start_warm_up(then=memory.freeze_startup)
# … and the worker process that takes part of each coalesced batch (dlviz.workers).
workers.warm_up()

# Emoji icons only: Streamlit fetches a material icon's favicon from a CDN at run time, and
# nothing may download at run time (emoji favicons are inline SVG).
st.set_page_config(page_title="dlviz · deep learning with PyTorch", page_icon="🧠",
                   layout="wide")

# The default page is served at "/" and Streamlit ignores its own url_path, so "/home" (the
# course map's bookmarkable name) is a hidden second entry for the same file.
home = st.Page("pages/home.py", title="Course map", icon="🗺️", url_path="course_map",
               default=True)
home_alias = st.Page("pages/home.py", title="Course map", icon="🗺️", url_path="home",
                     visibility="hidden")
sections: dict[str, list] = {"Home": [home, home_alias]}
for spec in catalog.live_pages():
    section = f"{spec.chapter} · {catalog.CHAPTER_TABS[spec.chapter]}"
    sections.setdefault(section, []).append(
        st.Page(spec.file, title=spec.title, icon=spec.icon, url_path=spec.url_path)
    )

# At the top: in the sidebar, lecture mode's text cut 8 of the 10 page names and every chapter
# name with "…", and pushed the lecture toggle and the page's controls below the fold.
navigation = st.navigation(sections, position="top")
ui.begin_run()
ui.mark_shell()
ui.lecture_toggle(navigation.url_path or "home")
navigation.run()
