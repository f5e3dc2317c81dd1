"""Strict loopback test servers for networks that cannot run here (SPEC §9)."""
