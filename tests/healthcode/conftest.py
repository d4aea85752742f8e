from tests.workflow.fixtures import db_kind, pg_schemas, platform  # noqa: F401
