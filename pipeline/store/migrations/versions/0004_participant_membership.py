"""participant membership: membership start and end of the last employment

Revision ID: 0004
Revises: 0003

Both nullable: records loaded before this revision (and exports without the
columns) simply do not say, and the rules then stay silent.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

COLUMNS = ('peserta_sejak', 'berhenti_kerja')


def upgrade() -> None:
    with op.batch_alter_table('participants', schema=None) as batch_op:
        for name in COLUMNS:
            batch_op.add_column(sa.Column(name, sa.Date(), nullable=True))


def downgrade() -> None:
    # SQLite drops a column by copying the table: batch mode does that there.
    with op.batch_alter_table('participants', schema=None) as batch_op:
        for name in reversed(COLUMNS):
            batch_op.drop_column(name)
