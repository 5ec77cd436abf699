"""The database router: writes always to the primary ("default"); reads to the streaming replica
("replica") only inside a replica-allowed view, as config/replica.py decides."""

from django.db import DEFAULT_DB_ALIAS

from config import replica


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        return replica.read_alias(model._meta.app_label)

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # The replica is a copy of the primary: an object read from one may point to one of the other.
        if {obj1._state.db, obj2._state.db} <= {DEFAULT_DB_ALIAS, replica.REPLICA}:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # The replica receives the schema through replication.
        return db == DEFAULT_DB_ALIAS
