"""Evaluation: score answers to a question set exactly as shared/eval/README.md describes."""
