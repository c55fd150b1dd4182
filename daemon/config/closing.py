"""What the store and the IMAP session share as `with` blocks: leaving one closes the resource."""

from __future__ import annotations

from types import TracebackType
from typing import Self


class Closable:
    """A resource for a `with` block: entering gives it back, leaving calls `close()` however
    the block ended (an exception inside goes on after the close)."""

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Let go of what the resource holds; each subclass says what that is."""
        raise NotImplementedError
