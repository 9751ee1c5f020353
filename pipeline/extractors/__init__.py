"""Extractors: document facts (metadata), cited documents (references), targets."""
