"""The GDPR rights of every person in the books: access, erasure, retention."""
