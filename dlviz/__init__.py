"""dlviz: the compute and figure package behind the app.

Modules compute with torch and numpy and build plotly figures; none imports streamlit except
`dlviz.ui`, the shared page helpers.
"""

from dlviz import steps as _steps

# No dlviz computation compiles: torch.optim's first optimizer no longer imports the compiler
# (dlviz.steps: 2.3 s and 70 MB in every process).
_steps.without_dynamo()
