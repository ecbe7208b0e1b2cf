"""submissions: the attachments that yielded no page, as processing found them

Revision ID: 0006
Revises: 0005

A JSON list of pipeline.types.UnreadableAttachment (see
pipeline.store.results.dump_unreadable), so a correction on the review desk
re-runs the rules without decoding and rendering every attachment again.
Nullable: rows stored before this revision do not know; the desk renders
their attachments once more to find out. An empty list means none.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unreadable_attachments', sa.JSON(), nullable=True))


def downgrade() -> None:
    # SQLite drops a column by copying the table: batch mode does that there.
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.drop_column('unreadable_attachments')
