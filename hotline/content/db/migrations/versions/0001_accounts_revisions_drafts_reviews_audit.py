"""accounts, revisions, drafts, reviews, audit

Revision ID: 0001
Revises: 
"""
from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


# The columns of the first schema come in few kinds; each kind is written once here. (A
# migration is frozen: these helpers describe this schema as it was, whatever models.py says
# later. tests/test_revisions.py compares what the migrations build with the models.)
def _serial() -> sa.Column:
    """The integer key the database numbers itself."""
    return sa.Column('id', sa.Integer(), autoincrement=True, nullable=False)


def _moment(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _word(name: str, length: int = 64, nullable: bool = False) -> sa.Column:
    """A short string: a username, a revision's id, a digest, an action's name."""
    return sa.Column(name, sa.String(length=length), nullable=nullable)


def _of(kind, *names: str) -> list[sa.Column]:
    """Required columns of one simple type (Text, JSON, Boolean, Integer)."""
    return [sa.Column(name, kind(), nullable=False) for name in names]


def upgrade() -> None:
    op.create_table(
        'accounts', _serial(), _word('username'), _word('role', 16), _word('password_hash', 255),
        _word('totp_secret', nullable=True), *_of(sa.Integer, 'totp_last_step'), *_of(sa.Boolean, 'active'),
        _moment('created_at'), sa.PrimaryKeyConstraint('id'), sa.UniqueConstraint('username'))
    op.create_table(
        'audit', _serial(), _moment('at'), _word('actor'), _word('action', 32), *_of(sa.Text, 'detail'),
        sa.PrimaryKeyConstraint('id'))
    op.create_table(
        'revisions', _word('id'), *_of(sa.JSON, 'files'), _word('parent_id', nullable=True), _moment('created_at'),
        _word('created_by'), *_of(sa.Text, 'note'), sa.PrimaryKeyConstraint('id'))
    op.create_table(
        'throttle', _word('key', 96), *_of(sa.Integer, 'failures'), _moment('first_at'),
        _moment('locked_until', nullable=True), sa.PrimaryKeyConstraint('key'))
    op.create_table(
        'drafts', _serial(), _word('base_id'), *_of(sa.JSON, 'files'), _moment('updated_at'), _word('updated_by'),
        *_of(sa.Boolean, 'open'), sa.ForeignKeyConstraint(['base_id'], ['revisions.id']),
        sa.PrimaryKeyConstraint('id'))
    op.create_table(
        # one row, never renumbered: not autoincrement
        'live', sa.Column('id', sa.Integer(), nullable=False), _word('revision_id'), _moment('since'), _word('by'),
        sa.ForeignKeyConstraint(['revision_id'], ['revisions.id']), sa.PrimaryKeyConstraint('id'))
    op.create_table(
        'reviews', _serial(), *_of(sa.Integer, 'draft_id'), _word('node_id'), _word('digest'), _word('reviewer'),
        _moment('at'), sa.ForeignKeyConstraint(['draft_id'], ['drafts.id']), sa.PrimaryKeyConstraint('id'))


def downgrade() -> None:
    op.drop_table('reviews')
    op.drop_table('live')
    op.drop_table('drafts')
    op.drop_table('throttle')
    op.drop_table('revisions')
    op.drop_table('audit')
    op.drop_table('accounts')
