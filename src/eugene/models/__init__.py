"""eugene.models."""

__all__: list[str] = []
