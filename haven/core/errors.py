class ApplicationError(Exception):
    """A rule of Haven's was broken; the message is safe to show to the person who acted."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ConflictError(ApplicationError):
    """Someone else changed the record since it was loaded."""
