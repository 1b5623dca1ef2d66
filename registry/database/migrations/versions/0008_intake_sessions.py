"""intake service: sign-in sessions; a submission's report, changes and confirmation

Revision ID: 0008
Revises: 0007
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'intake_sessions',
        sa.Column('digest', sa.String(length=64), nullable=False),
        sa.Column('user_name', sa.String(length=64), nullable=False),
        sa.Column('csrf', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('seen_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['user_name'], ['intake_users.user_name']),
        sa.PrimaryKeyConstraint('digest'),
    )
    with op.batch_alter_table('intake_submissions') as batch:
        batch.add_column(
            sa.Column('allow_removal', sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(sa.Column('report_json', sa.Text(), nullable=True))
        batch.add_column(sa.Column('report_html', sa.Text(), nullable=True))
        batch.add_column(sa.Column('changes_json', sa.Text(), nullable=True))
        batch.add_column(sa.Column('file_deleted_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('intake_submissions') as batch:
        for name in ('file_deleted_at', 'changes_json', 'report_html', 'report_json',
                     'allow_removal'):
            batch.drop_column(name)
    op.drop_table('intake_sessions')
