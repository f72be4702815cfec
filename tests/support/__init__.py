"""Test helpers (imported as `tests.support.*`): a loopback OpenAI-compatible server, real servers, and the
tiny and replica training runs. They live with the tests, not in the package, since they read the
repository's own files (its shipped configs) and no installed vlguard needs them."""
