"""Finding passages: embeddings, the FAISS and BM25 indexes, the store, hybrid retrieval."""
