"""Health-code conditions (健康码判定条件) as the local government sets them.

Versions of the screening rule file are kept in the store (append-only), edited and validated in the web
app, and one is activated for the workspace: activation writes it to ``results/rules/active.yaml``, which
``gridwatch screen`` uses when no ``--rules`` file and no ``screening.rules_file`` setting is given. The
screening capability never reads the store: the workspace file is the hand-over.
"""
