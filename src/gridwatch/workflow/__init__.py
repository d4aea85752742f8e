"""Work orders: jurisdictions, users and roles, the claim → verify → re-check → dispose → close loop.

Pure domain modules (``roles``, ``loop``, ``jurisdiction``, ``hashchain``, ``masking``) import no
framework; ``tables`` declares the store tables; ``services`` run transitions in one transaction each
and raise :mod:`gridwatch.workflow.errors`; the web app and the CLI only call services.
"""
