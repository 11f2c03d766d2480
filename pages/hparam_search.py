"""Hyperparameter search: grid versus random search over lr and momentum, same budget."""

import streamlit as st

from dlviz import hparam_search as hs
from dlviz import hparam_search_plots as plots
from dlviz import hparam_search_script as code
from dlviz import hparam_search_text as text
from dlviz import ui
from dlviz.hparam_search_settings import SETTINGS

lecture = ui.page("hparam_search", SETTINGS)

# Three settings in all: every one above the main figure (columns stack on a phone).
for column, key in zip(ui.main_columns(3), ("trials", "epochs", "seed"), strict=True):
    ui.widget(key, where=column)
s = ui.values()
trials, epochs, seed = int(s.trials), int(s.epochs), int(s.seed)


@st.cache_data(max_entries=32, show_spinner=False)
def _search(trials: int, epochs: int, seed: int) -> hs.SearchResult:
    # one batch with the other sessions that search the same budget with their own seeds
    return ui.coalesced(hs.search_many, seed, label=f"Training 2 × {trials} models",
                        trials=trials, epochs=epochs)


@ui.figure_cache()
def _plane_figure(trials: int, epochs: int, seed: int, lecture: bool):
    return plots.plane_figure(_search(trials, epochs, seed), lecture=lecture)


@ui.figure_cache()
def _projections_figure(trials: int, epochs: int, seed: int, lecture: bool):
    return plots.projections_figure(_search(trials, epochs, seed), lecture=lecture)


result = _search(trials, epochs, seed)  # first, so that its progress bar sits at the top
ui.chart(_plane_figure(trials, epochs, seed, lecture), key="plane",
         summary=text.plane_summary(result), data=text.trials_data(result))

for col, t in zip(st.columns(2), (result.grid, result.random), strict=True):
    col.metric(f"Best of {plots.TITLES[t.method].lower()}",
               f"val loss {t.val_loss[t.best]:.4f}",
               f"lr {t.lr[t.best]:.3g}, momentum {t.momentum[t.best]:.3f}", delta_color="off")
ui.explain(*text.search(trials))

st.header("Why random search covers each axis better")
ui.chart(_projections_figure(trials, epochs, seed, lecture), key="projections",
         summary=text.projections_summary(result))
ui.explain(*text.projections(trials))

ui.code_panel(code.script(trials=trials, epochs=epochs, seed=seed), code.prints(result),
              filename="dlviz_hparam_search.py")
