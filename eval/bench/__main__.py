"""`python -m eval.bench WORKER --corpus DIR --index DIR`: one helper child of the bench, JSON on stdout."""
import sys

from .workers import worker_main

if __name__ == "__main__":
    sys.exit(worker_main(sys.argv[1:]))
