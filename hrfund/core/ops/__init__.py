"""Operations: database roles, backups and their restore (commands in ``cli.py``)."""
