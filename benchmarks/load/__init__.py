"""`make load`: simulated staff and portal users on loopback, against Haven in production settings on PostgreSQL.

The run stops by itself (a time limit and a request count), reports throughput, latency percentiles and
errors, then checks that nothing was lost: every upload, share, signature request and signature the users
made is in the database, every signature got its sealed PDF and the seals verify, the task queue is empty
with no failures, and the audit chain verifies.

``__main__`` runs it all; ``seed`` and ``check`` run inside Haven (Django), ``users`` and ``browser`` only
speak HTTP, ``smtp`` catches the email Haven sends, ``report`` turns samples into the summary.
"""
