"""Running over many files: discovery, the pool, the cache, progress."""
