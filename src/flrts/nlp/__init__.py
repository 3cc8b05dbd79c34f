"""Natural-language parsing: one interface, an offline parser and an LLM parser."""
