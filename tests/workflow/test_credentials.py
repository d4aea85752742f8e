"""The credential cache of a cold process loads every valid credential in one bulk read, and a revocation
committed since is still refused on the very next lookup.  SQLite and PostgreSQL."""

from __future__ import annotations

from gridwatch.workflow.accounts import actor_of, token_digest
from gridwatch.workflow.credentials import CredentialCache
from tests.workflow.fixtures import COMMUNITY, TOWN
from tests.workflow.helpers import user


def test_a_cold_cache_loads_every_credential_at_once_and_still_refuses_revocations(platform):
    p = platform
    staff = [user(p, f"staff{i}", "field_staff", COMMUNITY) for i in range(3)]
    admin = p.accounts.get_user(user(p, "admin", "street_admin", TOWN).user_id)
    tokens = [p.accounts.create_token(a.user_id, "t") for a in staff]
    creds = CredentialCache(p.engine)  # a freshly started process
    first = creds.token(token_digest(tokens[0]))
    assert first is not None and first.actor == staff[0]
    assert (creds.bulk_loads, creds.misses) == (1, 0)
    # the other users' first requests: hits of that one read, no lookup of their own
    assert [creds.token(token_digest(t)).actor for t in tokens[1:]] == staff[1:]  # type: ignore[union-attr]
    epoch = p.accounts.get_user(staff[1].user_id).session_epoch
    assert creds.session(staff[1].user_id, epoch).actor == staff[1]  # type: ignore[union-attr]
    assert (creds.bulk_loads, creds.misses) == (1, 0)
    # unknown credentials are refused and not cached; a token created since is found alone, no reload
    assert creds.token(token_digest("no-such-token")) is None
    assert creds.session(staff[1].user_id, epoch + 1) is None
    late = p.accounts.create_token(staff[2].user_id, "late")
    assert creds.token(token_digest(late)).actor == staff[2]  # type: ignore[union-attr]
    assert creds.bulk_loads == 1 and creds.misses == 3
    # a revocation (password reset revokes the user's tokens) is refused on the very next lookup ...
    p.accounts.reset_password(actor_of(admin), staff[0].user_id, "a-new-password")
    assert creds.token(token_digest(tokens[0])) is None
    # ... and the other credentials come back from a second bulk read at the new counter
    assert creds.bulk_loads == 2
    assert creds.token(token_digest(tokens[1])).actor == staff[1]  # type: ignore[union-attr]
    assert creds.token(token_digest(late)).actor == staff[2]  # type: ignore[union-attr]
    assert creds.bulk_loads == 2
    # a disabled account's session and token stop at once as well
    p.accounts.set_active(actor_of(admin), staff[1].user_id, False)
    assert creds.session(staff[1].user_id, epoch) is None
    assert creds.token(token_digest(tokens[1])) is None
    assert creds.token(token_digest(tokens[2])).actor == staff[2]  # type: ignore[union-attr]


def test_the_bulk_read_keeps_at_most_max_entries(platform):
    p = platform
    staff = [user(p, f"staff{i}", "field_staff", COMMUNITY) for i in range(6)]
    tokens = [p.accounts.create_token(a.user_id, "t") for a in staff]
    creds = CredentialCache(p.engine, max_entries=4)
    assert creds.token(token_digest(tokens[0])).actor == staff[0]  # type: ignore[union-attr]
    assert creds.bulk_loads == 1 and len(creds._data) <= 4
    assert all(creds.token(token_digest(t)).actor == a for t, a in zip(tokens, staff, strict=True))  # type: ignore[union-attr]
    assert len(creds._data) <= 4
