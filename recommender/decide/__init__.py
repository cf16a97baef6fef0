"""One profile in, one logged decision with explained, gated advice out (the live path).

In the order a request meets them: ``features`` (allow-listed feature vector, G2),
``market_context`` (occupation x region figures), ``guardrails`` (legal eligibility, G3/G8),
``diagnostic`` (obstacles), ``killswitch`` (G9), ``registry`` and ``ranker`` (the active model and
its scores), ``baselines`` (rules without AI), ``reasons`` (pred_contrib -> plain language, G12),
``decision_path`` (compute, then log) and ``decision_explanation`` (the page a person reads).
``model_meta`` is the validated ``meta.json`` both trainers write and the registry and ranker
read; ``model_card`` fills the card the registry stores with every model, with
``metric_glossary`` saying what each figure means.
May import ``records`` and ``occupations``.
"""
