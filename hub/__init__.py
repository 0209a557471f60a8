"""The room's hub: the instructor's tools and JupyterHub's configuration, one package.

Run from the repository's root, as root (the Makefile's ``hub*`` targets do)::

    python -m hub.preflight CLASS     # everything make hub checks before it creates anything
    python -m hub.accounts create CLASS | slips [NAME...] | remove
    python -m hub.course publish [-m MESSAGE]
    jupyterhub -f hub/jupyterhub_config.py    # the hub itself (hub.config)
    python -m hub.prestart [--at-once N]      # every learner's server, before the room arrives
    python -m hub.report [--csv | --json]     # the class report

Modules: ``settings`` (every ``HUB_*`` variable with its help, read once into a
``Settings``), ``accounts`` (class list, users, passwords, slips), ``course`` (the course's
repository), ``preflight``, ``prestart``, ``report``, ``memory`` (cgroups), ``roomhub`` (the
authenticator and spawner) and ``config`` (JupyterHub's configuration, from one
``Settings``). ``roomproxy.py`` and ``culler.py`` are programs the hub starts by path, its
proxy and its idle-culler service; they import nothing of this package.
"""
