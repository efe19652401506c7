"""accounts.languages and reviews_translations: the catalogs a translator works on, and who reviews them

Revision ID: 0002
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Comma-separated language codes ("fa_AF,ps"); empty for accounts not scoped to languages.
    with op.batch_alter_table('accounts') as batch:
        batch.add_column(sa.Column('languages', sa.String(length=255), nullable=False, server_default=''))
        # A native speaker who may mark the catalogs of their languages reviewed.
        batch.add_column(sa.Column('reviews_translations', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table('accounts') as batch:
        batch.drop_column('reviews_translations')
        batch.drop_column('languages')
