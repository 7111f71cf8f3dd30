"""contracts.json, what import mappings are checked against, is the pandera contracts' summary."""

import subprocess
import sys

from opsreport.importing.mappings import contract_summary, summarise_contracts


def test_summary_file_matches_the_contracts():
    # refresh with: python -c "from opsreport.importing.mappings import write_summary; write_summary()"
    assert contract_summary() == summarise_contracts()


def test_listing_mappings_does_not_load_pandera_or_ibis():
    code = ("import sys; from opsreport.importing.mappings import load_mappings; load_mappings(None); "
            "print(sorted(m for m in ('pandera', 'ibis', 'pandas') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
