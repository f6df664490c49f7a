"""Signals the registry sends up to the apps built on it (which it never imports)."""

from django.dispatch import Signal

# Sent inside the commit's transaction, while the upload's staged rows still name their graduates
# (graduates_rosterrow: upload_id, graduate_id, action). Arguments: upload, acting_user.
roster_committed = Signal()
