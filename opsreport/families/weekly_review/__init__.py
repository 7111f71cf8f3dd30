"""The weekly operations review (周报复盘): one shop, one ISO week. Its registry entry is spec.SPEC."""
