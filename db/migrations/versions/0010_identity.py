"""identity: server-side web sessions; API token expiry and last use; OIDC identity and
revocation of users (issue 14)

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-26 08:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_DATETIME = sqlmodel.sql.sqltypes.UTCDateTime
TEXT = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table(
        "web_sessions",
        sa.Column("id", TEXT(), nullable=False),
        sa.Column("user_id", TEXT(), nullable=False),
        sa.Column("method", TEXT(), nullable=False),
        sa.Column("csrf_token", TEXT(), nullable=False),
        sa.Column("created_at", UTC_DATETIME(), nullable=False),
        sa.Column("last_seen_at", UTC_DATETIME(), nullable=False),
        sa.Column("expires_at", UTC_DATETIME(), nullable=False),
        sa.Column("ended_at", UTC_DATETIME(), nullable=True),
        sa.Column("end_reason", TEXT(), nullable=True),
        sa.Column("id_token_hint", TEXT(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("web_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_web_sessions_user_id"), ["user_id"], unique=False)

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("token_expires_at", UTC_DATETIME(), nullable=True))
        batch_op.add_column(sa.Column("token_last_used_at", UTC_DATETIME(), nullable=True))
        batch_op.add_column(sa.Column("oidc_issuer", TEXT(), nullable=True))
        batch_op.add_column(sa.Column("oidc_subject", TEXT(), nullable=True))
        batch_op.add_column(sa.Column("revoked_at", UTC_DATETIME(), nullable=True))
        batch_op.create_unique_constraint(
            "uq_users_oidc_identity", ["oidc_issuer", "oidc_subject"]
        )


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint("uq_users_oidc_identity", type_="unique")
        batch_op.drop_column("revoked_at")
        batch_op.drop_column("oidc_subject")
        batch_op.drop_column("oidc_issuer")
        batch_op.drop_column("token_last_used_at")
        batch_op.drop_column("token_expires_at")
    with op.batch_alter_table("web_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_web_sessions_user_id"))
    op.drop_table("web_sessions")
