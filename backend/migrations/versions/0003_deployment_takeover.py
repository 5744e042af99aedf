"""Deployments that take over another's executions, and the patch guards their code carries.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("deployment") as table:
        table.add_column(sa.Column("replaces", sa.String(length=128), nullable=True))
        table.add_column(sa.Column("patches", sa.Text(), nullable=False, server_default="[]"))


def downgrade() -> None:
    with op.batch_alter_table("deployment") as table:
        table.drop_column("patches")
        table.drop_column("replaces")
