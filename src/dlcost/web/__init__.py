"""The web page and HTTP API (``dlcost serve``): FastAPI, Jinja2 templates, Plotly."""
