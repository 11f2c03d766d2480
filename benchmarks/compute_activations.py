"""Compute cases of the Activations page at its defaults and caps."""

import numpy as np

from dlviz import activations as act

CASES = {
    "8 curves × 401 points": lambda: [act.evaluate(n, np.linspace(-6, 6, 401))
                                      for n in act.ACTIVATIONS],
    "depth gradients, 3 activations × 10 layers": lambda: [
        act.depth_gradients(n, depth=10, init="kaiming") for n in ("sigmoid", "tanh", "relu")],
    "depth gradients at the cap, 8 × 30 layers": lambda: [
        act.depth_gradients(n, depth=30) for n in act.ACTIVATIONS],
}
