"""The reference page: TechEmpower's *Fortunes* on a minimal Django project (no middleware, one model, one query).

`make bench` serves it beside Haven, under the same WSGI server and flags, and gives each Haven page's
throughput as a share of this one's: what the framework and server can do on this machine at that moment.
"""
