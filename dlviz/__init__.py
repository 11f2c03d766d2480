"""dlviz: the compute and figure package behind the app.

Modules compute with torch and numpy and build plotly figures; none imports streamlit except
`dlviz.ui`, the shared page helpers.
"""
