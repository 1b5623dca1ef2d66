"""``python -m registry`` runs the command line."""

from registry.cli import main

if __name__ == "__main__":  # not again in the service's worker processes (spawned)
    main()
