"""Storage of the web app: SQLAlchemy tables, Alembic migrations and the service functions.

SQLite by default, PostgreSQL by URL. Machine results (an analysis per conversation, flattened
into labels for dashboards) are stored apart from human reviews and never overwrite them.
"""
