"""The SyncEngine and the protocols hosts implement."""
