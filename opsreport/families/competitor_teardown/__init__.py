"""The competitor teardown (竞品拆解): a shop against its 3-5 same-tier competitors."""
