"""Workflow: jurisdictions, users, tokens, work orders, verifications, reviews, disposals, events.

Revision ID: wf0001
Revises: 0002
Create Date: 2026-11-23 10:17:45.413380
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "wf0001"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "wf_chain_head",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("last_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wf_chain_head")),
    )
    op.bulk_insert(
        sa.table(
            "wf_chain_head",
            sa.column("id", sa.Integer),
            sa.column("seq", sa.Integer),
            sa.column("last_hash", sa.String),
        ),
        [{"id": 1, "seq": 0, "last_hash": "0" * 64}],
    )
    op.create_table(
        "wf_jurisdiction",
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("parent_code", sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_wf_jurisdiction")),
    )
    with op.batch_alter_table("wf_jurisdiction", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_wf_jurisdiction_level"), ["level"], unique=False)
        batch_op.create_index(batch_op.f("ix_wf_jurisdiction_parent_code"), ["parent_code"], unique=False)

    op.create_table(
        "wf_login_attempt",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("client", sa.String(length=64), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wf_login_attempt")),
    )
    with op.batch_alter_table("wf_login_attempt", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_wf_login_attempt_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_wf_login_attempt_client"), ["client"], unique=False)
        batch_op.create_index(batch_op.f("ix_wf_login_attempt_username"), ["username"], unique=False)

    op.create_table(
        "wf_user",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("display_name", sa.String(length=128), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("jurisdiction_code", sa.String(length=32), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("session_epoch", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["jurisdiction_code"],
            ["wf_jurisdiction.code"],
            name=op.f("fk_wf_user_jurisdiction_code_wf_jurisdiction"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wf_user")),
        sa.UniqueConstraint("username", name=op.f("uq_wf_user_username")),
    )
    with op.batch_alter_table("wf_user", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_wf_user_jurisdiction_code"), ["jurisdiction_code"], unique=False)

    op.create_table(
        "wf_api_token",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["wf_user.id"], name=op.f("fk_wf_api_token_user_id_wf_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wf_api_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_wf_api_token_token_hash")),
    )
    with op.batch_alter_table("wf_api_token", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_wf_api_token_user_id"), ["user_id"], unique=False)

    op.create_table(
        "wf_data_access",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("what", sa.String(length=32), nullable=False),
        sa.Column("subject", sa.String(length=128), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["wf_user.id"], name=op.f("fk_wf_data_access_user_id_wf_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wf_data_access")),
    )
    with op.batch_alter_table("wf_data_access", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_wf_data_access_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_wf_data_access_user_id"), ["user_id"], unique=False)

    op.create_table(
        "wf_order",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("account_no", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("source_ref", sa.String(length=128), nullable=False),
        sa.Column("demo", sa.Boolean(), nullable=False),
        sa.Column("health_code", sa.String(length=16), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("model_hits", sa.String(length=255), nullable=False),
        sa.Column("reasons_zh", sa.Text(), nullable=False),
        sa.Column("reasons_en", sa.Text(), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("customer_name", sa.String(length=255), nullable=True),
        sa.Column("address_text", sa.Text(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("dispatch_basis", sa.String(length=32), nullable=False),
        sa.Column("city_code", sa.String(length=8), nullable=False),
        sa.Column("district_code", sa.String(length=8), nullable=True),
        sa.Column("town_code", sa.String(length=12), nullable=True),
        sa.Column("community_code", sa.String(length=16), nullable=True),
        sa.Column("grid_cell", sa.String(length=32), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column("verifier_id", sa.Integer(), nullable=True),
        sa.Column("outcome", sa.String(length=32), nullable=True),
        sa.Column("resolution", sa.String(length=32), nullable=True),
        sa.Column("measure", sa.String(length=16), nullable=True),
        sa.Column("reopen_count", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=False),
        sa.Column("claimed_at", sa.DateTime(), nullable=True),
        sa.Column("verified_at", sa.DateTime(), nullable=True),
        sa.Column("confirmed_at", sa.DateTime(), nullable=True),
        sa.Column("disposed_at", sa.DateTime(), nullable=True),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["assignee_id"], ["wf_user.id"], name=op.f("fk_wf_order_assignee_id_wf_user")
        ),
        sa.ForeignKeyConstraint(
            ["verifier_id"], ["wf_user.id"], name=op.f("fk_wf_order_verifier_id_wf_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wf_order")),
    )
    with op.batch_alter_table("wf_order", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_wf_order_account_no"), ["account_no"], unique=False)
        batch_op.create_index(batch_op.f("ix_wf_order_assignee_id"), ["assignee_id"], unique=False)
        batch_op.create_index(
            "ix_wf_order_city_cover",
            ["city_code", "district_code", "state", "resolution", "due_at", "created_at", "closed_at"],
            unique=False,
        )
        batch_op.create_index(
            "ix_wf_order_district_cover",
            ["district_code", "town_code", "state", "resolution", "due_at", "created_at", "closed_at"],
            unique=False,
        )
        batch_op.create_index(
            "ix_wf_order_town_cover",
            ["town_code", "community_code", "state", "resolution", "due_at", "created_at", "closed_at"],
            unique=False,
        )
        batch_op.create_index(
            "ix_wf_order_community_cover",
            ["community_code", "grid_cell", "state", "resolution", "due_at", "created_at", "closed_at"],
            unique=False,
        )
        batch_op.create_index(
            "ix_wf_order_grid_cover",
            ["grid_cell", "state", "resolution", "due_at", "created_at", "closed_at"],
            unique=False,
        )
        batch_op.create_index(
            "ix_wf_order_community_state_score", ["community_code", "state", "score"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_wf_order_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_wf_order_due_at"), ["due_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_wf_order_state"), ["state"], unique=False)

    op.create_table(
        "wf_disposal",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("measure", sa.String(length=16), nullable=False),
        sa.Column("deadline", sa.DateTime(), nullable=False),
        sa.Column("steps", sa.JSON(), nullable=False),
        sa.Column("ordered_by", sa.Integer(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("completed_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["order_id"], ["wf_order.id"], name=op.f("fk_wf_disposal_order_id_wf_order")),
        sa.ForeignKeyConstraint(
            ["ordered_by"], ["wf_user.id"], name=op.f("fk_wf_disposal_ordered_by_wf_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wf_disposal")),
    )
    with op.batch_alter_table("wf_disposal", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_wf_disposal_order_id"), ["order_id"], unique=False)

    op.create_table(
        "wf_evaluation",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("result", sa.String(length=16), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"], ["wf_order.id"], name=op.f("fk_wf_evaluation_order_id_wf_order")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["wf_user.id"], name=op.f("fk_wf_evaluation_user_id_wf_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wf_evaluation")),
    )
    with op.batch_alter_table("wf_evaluation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_wf_evaluation_order_id"), ["order_id"], unique=False)

    op.create_table(
        "wf_event",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("from_state", sa.String(length=16), nullable=True),
        sa.Column("to_state", sa.String(length=16), nullable=True),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_role", sa.String(length=32), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("at", sa.String(length=32), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["actor_id"], ["wf_user.id"], name=op.f("fk_wf_event_actor_id_wf_user")),
        sa.ForeignKeyConstraint(["order_id"], ["wf_order.id"], name=op.f("fk_wf_event_order_id_wf_order")),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_wf_event")),
    )
    with op.batch_alter_table("wf_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_wf_event_order_id"), ["order_id"], unique=False)

    op.create_table(
        "wf_verification",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=32), nullable=False),
        sa.Column("trade", sa.String(length=32), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"], ["wf_order.id"], name=op.f("fk_wf_verification_order_id_wf_order")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["wf_user.id"], name=op.f("fk_wf_verification_user_id_wf_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wf_verification")),
    )
    with op.batch_alter_table("wf_verification", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_wf_verification_order_id"), ["order_id"], unique=False)

    op.create_table(
        "wf_photo",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("verification_id", sa.Integer(), nullable=True),
        sa.Column("stage", sa.String(length=16), nullable=False),
        sa.Column("path", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=32), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["order_id"], ["wf_order.id"], name=op.f("fk_wf_photo_order_id_wf_order")),
        sa.ForeignKeyConstraint(
            ["verification_id"],
            ["wf_verification.id"],
            name=op.f("fk_wf_photo_verification_id_wf_verification"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wf_photo")),
    )
    with op.batch_alter_table("wf_photo", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_wf_photo_order_id"), ["order_id"], unique=False)

    op.create_table(
        "wf_review",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("verification_id", sa.Integer(), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), nullable=False),
        sa.Column("reviewer_level", sa.String(length=16), nullable=False),
        sa.Column("verifier_level", sa.String(length=16), nullable=False),
        sa.Column("decision", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["order_id"], ["wf_order.id"], name=op.f("fk_wf_review_order_id_wf_order")),
        sa.ForeignKeyConstraint(
            ["reviewer_id"], ["wf_user.id"], name=op.f("fk_wf_review_reviewer_id_wf_user")
        ),
        sa.ForeignKeyConstraint(
            ["verification_id"],
            ["wf_verification.id"],
            name=op.f("fk_wf_review_verification_id_wf_verification"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wf_review")),
    )
    with op.batch_alter_table("wf_review", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_wf_review_order_id"), ["order_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("wf_review", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_wf_review_order_id"))

    op.drop_table("wf_review")
    with op.batch_alter_table("wf_photo", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_wf_photo_order_id"))

    op.drop_table("wf_photo")
    with op.batch_alter_table("wf_verification", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_wf_verification_order_id"))

    op.drop_table("wf_verification")
    with op.batch_alter_table("wf_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_wf_event_order_id"))

    op.drop_table("wf_event")
    with op.batch_alter_table("wf_evaluation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_wf_evaluation_order_id"))

    op.drop_table("wf_evaluation")
    with op.batch_alter_table("wf_disposal", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_wf_disposal_order_id"))

    op.drop_table("wf_disposal")
    with op.batch_alter_table("wf_order", schema=None) as batch_op:
        batch_op.drop_index("ix_wf_order_town_cover")
        batch_op.drop_index("ix_wf_order_grid_cover")
        batch_op.drop_index("ix_wf_order_district_cover")
        batch_op.drop_index("ix_wf_order_community_cover")
        batch_op.drop_index(batch_op.f("ix_wf_order_state"))
        batch_op.drop_index(batch_op.f("ix_wf_order_due_at"))
        batch_op.drop_index(batch_op.f("ix_wf_order_created_at"))
        batch_op.drop_index("ix_wf_order_city_cover")
        batch_op.drop_index("ix_wf_order_community_state_score")
        batch_op.drop_index(batch_op.f("ix_wf_order_assignee_id"))
        batch_op.drop_index(batch_op.f("ix_wf_order_account_no"))

    op.drop_table("wf_order")
    with op.batch_alter_table("wf_data_access", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_wf_data_access_user_id"))
        batch_op.drop_index(batch_op.f("ix_wf_data_access_at"))

    op.drop_table("wf_data_access")
    with op.batch_alter_table("wf_api_token", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_wf_api_token_user_id"))

    op.drop_table("wf_api_token")
    with op.batch_alter_table("wf_user", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_wf_user_jurisdiction_code"))

    op.drop_table("wf_user")
    with op.batch_alter_table("wf_login_attempt", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_wf_login_attempt_username"))
        batch_op.drop_index(batch_op.f("ix_wf_login_attempt_client"))
        batch_op.drop_index(batch_op.f("ix_wf_login_attempt_at"))

    op.drop_table("wf_login_attempt")
    with op.batch_alter_table("wf_jurisdiction", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_wf_jurisdiction_parent_code"))
        batch_op.drop_index(batch_op.f("ix_wf_jurisdiction_level"))

    op.drop_table("wf_jurisdiction")
    op.drop_table("wf_chain_head")
