"""Zoho CRM client."""
