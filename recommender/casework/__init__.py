"""What people do with a case.

Counsellors: ``review`` (approve / edit / reject advice items), ``notes``, ``case_mode``
(working without AI), ``assignment``, ``queue`` (review queue and team lists), ``caseload`` (who
may read which case, the access log). Job-seekers: ``journey`` (notice, profile, plan, feedback,
outcomes) and ``data_rights`` (export, erasure, objection; GDPR Art 15, 17, 21).
Top stage: may import every other stage.
"""
