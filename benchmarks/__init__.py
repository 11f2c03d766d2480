"""Benchmarks. Run each alone on a quiet machine: `python -m benchmarks.<name>`."""

import os

# As in streamlit_app.py, before torch loads: OpenMP's thread count is per thread, so only the
# environment reaches the script threads that AppTest and the server run pages on.
os.environ.setdefault("OMP_NUM_THREADS", "1")
