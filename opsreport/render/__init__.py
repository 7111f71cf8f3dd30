"""Rendering: execute a report notebook and publish it as HTML, PDF, Excel and run.json.

One concept per module, imported explicitly (this package imports nothing, so a notebook
can use ``opsreport.render.excel`` without loading papermill or WeasyPrint):

- :mod:`~opsreport.render.execute`: papermill on the interpreter running opsreport.
- :mod:`~opsreport.render.html`: executed notebook -> self-contained page without code.
- :mod:`~opsreport.render.pdf`: that page -> A4 PDF with embedded CJK fonts.
- :mod:`~opsreport.render.excel`: key tables -> formatted, formula-safe workbook.
- :mod:`~opsreport.render.manifest`: run.json (params, data fingerprint, versions, timings).
- :mod:`~opsreport.render.publish`: staging folder, atomic move into place, index.html.
- :mod:`~opsreport.render.pipeline`: :func:`render`, the orchestrator of the above.
"""
