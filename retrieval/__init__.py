"""Catalog, vector store, collaborative filtering and ranking: everything below the assistant."""
