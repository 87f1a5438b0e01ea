"""Operations: backup and restore of the whole portal (database + attachments) on SQLite and PostgreSQL."""
