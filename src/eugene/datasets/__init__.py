"""eugene.datasets."""

__all__: list[str] = []
