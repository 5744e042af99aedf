"""The Worker Deployment version a deployment's worker serves (Temporal's worker versioning).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("deployment") as table:
        table.add_column(sa.Column("build_id", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("deployment") as table:
        table.drop_column("build_id")
