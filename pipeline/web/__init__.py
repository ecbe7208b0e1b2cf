"""The officers' review desk: a small server-rendered web app (FastAPI + Jinja2).

Officers see the flagged submissions of their branch, the scans beside the
extracted values and the participant record, and settle each one; every
action lands in an append-only audit log. See docs/review-desk.md.
"""
