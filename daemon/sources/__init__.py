"""Where mail comes from (files, Maildir, mbox, IMAP) and the one ingest that records it."""
