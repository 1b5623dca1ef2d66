"""intake service: submissions and their states

Revision ID: 0007
Revises: 0006
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'intake_submissions',
        sa.Column('submission_id', sa.String(length=36), nullable=False),
        sa.Column('site_id', sa.String(length=8), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('state', sa.String(length=20), nullable=False),
        sa.Column('path', sa.Text(), nullable=False),
        sa.Column('sender', sa.String(length=80), nullable=False),
        sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('claimed_by', sa.String(length=80), nullable=True),
        sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('errors', sa.Integer(), nullable=True),
        sa.Column('warnings', sa.Integer(), nullable=True),
        sa.Column('records', sa.Integer(), nullable=True),
        sa.Column('message', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['site_id'], ['intake_sites.site_id']),
        sa.PrimaryKeyConstraint('submission_id'),
        sa.UniqueConstraint('site_id', 'sha256'),
    )
    op.create_index(
        'ix_intake_submissions_site_id', 'intake_submissions', ['site_id'], unique=False
    )
    op.create_index('ix_intake_submissions_state', 'intake_submissions', ['state'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_intake_submissions_state', table_name='intake_submissions')
    op.drop_index('ix_intake_submissions_site_id', table_name='intake_submissions')
    op.drop_table('intake_submissions')
