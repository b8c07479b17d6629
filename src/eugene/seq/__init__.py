"""eugene.seq."""

__all__: list[str] = []
