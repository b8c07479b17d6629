"""eugene.motifs."""

__all__: list[str] = []
