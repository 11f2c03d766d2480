"""Imported by the worker processes' forkserver (dlviz.workers.PRELOAD): torch's one-time
costs of a first training step are paid there once, so every worker forked from it starts
warm. (No step imports torch._dynamo any more: dlviz.steps.)"""

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

import torch  # noqa: E402

from dlviz import optim  # noqa: E402

torch.set_num_threads(1)
optim.warm_up()
