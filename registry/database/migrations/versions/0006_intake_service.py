"""intake service: sites, users, tokens and the service's audit trail

Revision ID: 0006
Revises: 0005
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'intake_sites',
        sa.Column('site_id', sa.String(length=8), nullable=False),
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint('site_id'),
    )
    op.create_table(
        'intake_users',
        sa.Column('user_name', sa.String(length=64), nullable=False),
        sa.Column('role', sa.String(length=20), nullable=False),
        sa.Column('site_id', sa.String(length=8), nullable=True),
        sa.Column('password_hash', sa.Text(), nullable=False),
        sa.Column('totp_secret', sa.String(length=64), nullable=True),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['site_id'], ['intake_sites.site_id']),
        sa.PrimaryKeyConstraint('user_name'),
    )
    op.create_table(
        'intake_tokens',
        sa.Column('token_id', sa.String(length=16), nullable=False),
        sa.Column('site_id', sa.String(length=8), nullable=False),
        sa.Column('digest', sa.String(length=64), nullable=False),
        sa.Column('label', sa.String(length=120), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['site_id'], ['intake_sites.site_id']),
        sa.PrimaryKeyConstraint('token_id'),
        sa.UniqueConstraint('digest'),
    )
    op.create_index('ix_intake_tokens_site_id', 'intake_tokens', ['site_id'], unique=False)
    op.create_table(
        'intake_events',
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('actor', sa.String(length=80), nullable=False),
        sa.Column('client', sa.String(length=64), nullable=True),
        sa.Column('action', sa.String(length=40), nullable=False),
        sa.Column('target', sa.String(length=120), nullable=True),
        sa.Column('result', sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint('event_id'),
    )
    op.create_index('ix_intake_events_at', 'intake_events', ['at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_intake_events_at', table_name='intake_events')
    op.drop_table('intake_events')
    op.drop_index('ix_intake_tokens_site_id', table_name='intake_tokens')
    op.drop_table('intake_tokens')
    op.drop_table('intake_users')
    op.drop_table('intake_sites')
