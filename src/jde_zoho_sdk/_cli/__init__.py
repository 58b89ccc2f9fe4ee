"""The click application behind ``jde-zoho`` (imported only when the ``cli`` extra is installed)."""
