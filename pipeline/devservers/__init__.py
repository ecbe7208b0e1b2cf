"""Throwaway mail servers for tests and the local demo: Dovecot (IMAP) and an SMTP sink.

Nothing here is used in production; the pipeline talks to these only through
the same adapters it uses against real branch mail servers.
"""
