"""Check: the engine, the registered check functions and waivers."""
