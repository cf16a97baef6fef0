"""The decision log and what may enter it (G3, G11, G14).

``chain`` appends hash-chained events and verifies them; ``protected`` is the deny-list of
protected attributes and the payload scanner; ``retention`` tombstones old personal payloads.
Lowest stage: imports ``models`` and ``data`` only.
"""
