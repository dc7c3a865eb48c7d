"""The one exception type the engine raises for bad input."""


class EngineError(ValueError):
    """Invalid data, metadata or method; the message is one line, fit for a user."""

    def __init__(self, message: str) -> None:
        # Keep messages to one line so the CLI can print them as `error: <message>`.
        super().__init__(" ".join(str(message).split()))
