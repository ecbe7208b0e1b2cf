"""dashboard indexes: scope and period ranges, covering indexes for the joined tables

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

from alembic import op


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

# (name, table, columns), as in models.DASHBOARD_INDEXES
INDEXES = (
    ('ix_submissions_branch_received', 'submissions', ['branch_id', 'received_at']),
    ('ix_decisions_submission_status', 'decisions', ['submission_id', 'status', 'decided_at']),
    ('ix_reviews_submission_status', 'reviews', ['submission_id', 'status', 'decided_at']),
    ('ix_findings_submission_rule', 'findings', ['submission_id', 'rule_id']),
)


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns, unique=False)


def downgrade() -> None:
    for name, table, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
