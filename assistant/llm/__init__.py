"""The language-model seam: the OpenAI-compatible and in-process clients, and the backends that read messages with them."""
