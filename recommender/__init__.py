"""Everything that decides: features, guardrails, ranking, explanations, simulator, registry.

No web code here: this package never imports FastAPI, Starlette or Jinja2.
"""
