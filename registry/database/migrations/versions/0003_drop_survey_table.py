"""drop survey_responses: survey exports are validated and summarized, never stored

Revision ID: 0003
Revises: 0002
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_table('survey_responses')


def downgrade() -> None:
    # The table of revision 0001, recreated empty (its columns follow the survey model of
    # that release; nothing ever wrote to it).
    op.create_table('survey_responses',
                    sa.Column('response_id', sa.String(length=7), nullable=False),
                    sa.PrimaryKeyConstraint('response_id'))
