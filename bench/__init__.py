"""Benchmarks for jde-zoho-sdk: figures printed and written as JSON, never asserted."""
