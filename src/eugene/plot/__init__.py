"""eugene.plot."""

__all__: list[str] = []
