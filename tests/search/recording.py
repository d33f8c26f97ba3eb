"""A fake embedder that records the texts it embeds other than questions: tests of what the build
embeds once and what a question may still embed at answer time."""
from __future__ import annotations

from rag.search.embedding import FakeEmbedder


class RecordingEmbedder(FakeEmbedder):
    def __init__(self):
        super().__init__()
        self.texts: list[str] = []

    def embed(self, texts, *, query=False):
        if not query:
            self.texts += list(texts)
        return super().embed(texts, query=query)
