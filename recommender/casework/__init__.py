"""What people do with a case.

Counsellors: ``review`` (approve / edit / reject advice items, add their own advice),
``notes`` (case notes), ``case_mode`` (working without AI), ``assignment`` (reassignment and the
team lead's lists of who looks after which case), ``queue`` (caseload overview, review queue,
one decision's detail), ``caseload`` (who may read which case, the access log), ``validation``
(the errors these actions raise on bad input). Job-seekers: ``journey`` (notice, profile, plan,
feedback, outcomes) and ``data_rights`` (export, erasure, objection; GDPR Art 15, 17, 21).
Top stage: may import every other stage.
"""
