"""The promotion retrospective (活动复盘): one shop, one promotion that has ended."""
