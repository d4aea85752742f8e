"""Domain errors raised by workflow services (handlers translate them; services never know HTTP)."""

from __future__ import annotations


class WorkflowError(Exception):
    """Base of every workflow error; ``code`` is a stable machine-readable name."""

    code = "workflow_error"


class NotFound(WorkflowError):
    code = "not_found"


class Forbidden(WorkflowError):
    """The user's role or jurisdiction does not allow this."""

    code = "forbidden"


class Conflict(WorkflowError):
    """The order is no longer in the state the action needs (e.g. someone else claimed it first)."""

    code = "conflict"


class InvalidInput(WorkflowError):
    code = "invalid_input"


class AuthFailed(WorkflowError):
    code = "auth_failed"


class RateLimited(WorkflowError):
    code = "rate_limited"
