"""SYNTHETIC worlds where the true effect of every advice is known.

``scenario`` validates a world described in YAML; ``population`` draws people, actions and
outcomes from it; ``simulated_log`` writes a population into the database as if Lotse had logged
it. Everything produced here is labelled synthetic. May import ``records`` and ``decide``.
"""
