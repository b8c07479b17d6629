"""eugene.interpret."""

__all__: list[str] = []
