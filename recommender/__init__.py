"""Everything that decides and keeps decisions, one subpackage per stage.

No web code here: this package never imports FastAPI, Starlette or Jinja2. The stages, lowest
first; each may import the ones before it (and ``models``, ``data``), never one after it, which
``tests/test_architecture.py`` enforces:

``errors``       the one exception hierarchy every stage raises from.
``records``      the hash-chained decision log, the protected-attribute deny-list, retention.
``occupations``  job title -> KldB occupation, with its German language handling.
``decide``       one profile -> features -> rules -> ranking -> reasons -> one logged decision,
                 the model registry the decision path reads, the kill switch.
``simulate``     SYNTHETIC worlds: scenario files, populations with known effects, simulated logs.
``learn``        training data from the log, the learner, its Dask scale-out.
``evaluate``     policy value, off-policy evaluation, fairness, proxies, twins, crowding,
                 team monitoring, promotion gates and the reports they read.
``casework``     what people do with a case: the counsellor's review queue, notes, case mode and
                 assignment, the caseload rule, the job-seeker's journey, data-subject rights.
"""
