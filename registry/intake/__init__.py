"""The intake service (spec: intake.md): how sites submit to the coordinating center.

This first part holds the accounts: sites, people (argon2id passwords, RFC 6238 one-time
passwords) and pipeline tokens (256 random bits, stored as a digest, bound to one site,
expiring, revocable), administered from the server's command line (``vte-registry admin``),
every action in the service's audit trail.
"""
