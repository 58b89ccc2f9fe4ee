"""Oracle JD Edwards EnterpriseOne AIS Server client."""
