"""Shared web layer: page shells for staff, enterprises and the public, static assets, security headers."""
