"""rag: cited question answering over Swedish social-services reports."""
__version__ = "0.1.0"
