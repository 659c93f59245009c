"""ORM models of the autoresponder domain."""
