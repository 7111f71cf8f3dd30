"""The staff appraisal (运营考核): a team scored against its roles' points rubrics, month or quarter."""
