"""The language-model seam: `ChatModel` and its implementations, the typed tasks asked of a model, and the
backends that read messages with one."""
