"""documents: which of several documents on one page a row is (part)

Revision ID: 0005
Revises: 0004

Nullable: every row stored before pages were split is a page of one
document, and a page of one document still stores None.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('part', sa.Integer(), nullable=True))


def downgrade() -> None:
    # SQLite drops a column by copying the table: batch mode does that there.
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_column('part')
