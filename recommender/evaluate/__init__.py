"""Evidence about a model before and while it serves people.

``true_uplift`` (policy value where the simulator knows the truth), ``ope`` (off-policy
evaluation on logs, G16), ``fairness`` (G6), ``proxies`` (G4), ``twins`` (G5), ``crowding`` (G17),
``monitoring`` (team-level review rates, G10), ``gates`` (what promotion requires),
``model_report`` and ``evaluation_report`` (the HTML/JSON evidence), ``experiment``
(generate -> train -> evaluate on one scenario). May import every stage above except ``casework``.
"""
