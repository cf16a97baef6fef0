"""Learning from logged decisions and outcomes.

``training_data`` reads the log into arrays; ``train`` fits the residualised uplift learner;
``dask_train`` scales the same learner out. May import ``records``, ``decide`` and ``simulate``.
"""
