"""Understanding a message: titles, people, years, prices, genres, negation and the intent, read by the rules parser; reconciling an LLM's reading with it."""
