"""Throwaway servers for tests and the local demo: Dovecot (IMAP), an SMTP sink, PostgreSQL.

Nothing here is used in production; the pipeline talks to these only through
the same adapters and URLs it uses against real branch servers.
"""
