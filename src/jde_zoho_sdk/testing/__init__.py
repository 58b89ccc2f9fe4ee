"""Emulators of AIS and Zoho CRM, fault injection and test kits, shipped for users' own tests."""
