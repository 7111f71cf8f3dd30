"""execute.py: the kernel is this interpreter, parameters arrive typed, failures name the cell."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from opsreport.errors import DataNotFoundError, RenderError
from opsreport.render.execute import execute_notebook

pytestmark = pytest.mark.slow

PARAMS = {
    "shop_id": "0071",
    "week": "2026-W47",
    "top_n": 10,
    "threshold": 0.25,
    "dry": False,
    "nothing": None,
    "tags": ["a", "b'\"c", "换行\nline"],
    "nested": {"k": [1, 2.5]},
    "path": Path("/data/warehouse.duckdb"),
}


def _notebook(path: Path, *cells: str, kernel: str = "python3") -> Path:
    nb = new_notebook(
        metadata={"kernelspec": {"name": kernel, "display_name": kernel, "language": "python"}}
    )
    parameters = new_code_cell(
        "shop_id = 'demo'\nweek = 'last'\ntop_n = 5\nthreshold = 0.1\ndry = True\n"
        "nothing = 'x'\ntags = []\nnested = {}\npath = ''"
    )
    parameters.metadata["tags"] = ["parameters"]
    nb.cells = [parameters, *(new_code_cell(c) if not c.startswith("#") else new_markdown_cell(c) for c in cells)]
    nbformat.write(nb, path)
    return path


def test_runs_on_this_interpreter_with_typed_parameters(tmp_path, monkeypatch):
    # A broken "python3" kernelspec on the machine must not matter.
    kernels = tmp_path / "jupyter" / "kernels" / "python3"
    kernels.mkdir(parents=True)
    (kernels / "kernel.json").write_text(
        json.dumps({"argv": ["/nonexistent/python", "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                    "display_name": "broken", "language": "python"})
    )
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    source = _notebook(
        tmp_path / "params.ipynb",
        "import json, os, sys\n"
        "print(json.dumps({'exe': sys.executable, 'mpl': os.environ.get('MPLBACKEND'), 'cwd': os.getcwd(),\n"
        "    'values': [shop_id, week, top_n, threshold, dry, nothing, tags, nested, path],\n"
        "    'types': [type(v).__name__ for v in (shop_id, top_n, threshold, dry, nothing, path)]}))",
    )
    out = tmp_path / "out" / "run.ipynb"
    out.parent.mkdir()

    nb = execute_notebook(source, PARAMS, out)

    got = json.loads(nb.cells[-1].outputs[0].text)
    assert got["exe"] == sys.executable
    assert got["values"] == [
        "0071", "2026-W47", 10, 0.25, False, None, ["a", "b'\"c", "换行\nline"], {"k": [1, 2.5]},
        "/data/warehouse.duckdb",
    ]
    assert got["types"] == ["str", "int", "float", "bool", "NoneType", "str"]
    assert got["mpl"] == "module://matplotlib_inline.backend_inline"
    assert Path(got["cwd"]) == tmp_path  # the notebook's folder, as in JupyterLab
    assert out.is_file()
    saved = nbformat.read(out, as_version=4)
    assert saved.metadata["kernelspec"]["name"] == "python3"  # reopens in Lab as it was


def test_failing_cell_is_named_with_its_heading_and_error(failing_notebook, tmp_path):
    with pytest.raises(RenderError) as info:
        execute_notebook(failing_notebook, {"shop_id": "0071"}, tmp_path / "out.ipynb")
    message = str(info.value)
    assert "failing.ipynb" in message
    assert "cell 11" in message  # numbered as in the source notebook (injected cell not counted)
    assert '"异常小节"' in message
    assert "ratio = 1 / 0" in message
    assert "ZeroDivisionError: division by zero" in message
    assert "\n" not in message


def test_opsreport_errors_raised_in_the_notebook_keep_their_type(tmp_path):
    source = _notebook(
        tmp_path / "nodata.ipynb",
        "## 数据",
        "from opsreport.errors import DataNotFoundError\n"
        "raise DataNotFoundError('shop 0099 has no orders in 2026-W47')",
    )
    with pytest.raises(DataNotFoundError, match=r"cell 3 .*数据.*shop 0099 has no orders"):
        execute_notebook(source, {}, tmp_path / "out.ipynb")


def test_cell_timeout_is_a_render_error(tmp_path):
    source = _notebook(tmp_path / "slow.ipynb", "import time\ntime.sleep(30)")
    with pytest.raises(RenderError, match="did not finish"):
        execute_notebook(source, {}, tmp_path / "out.ipynb", timeout=1)


def test_parameters_that_are_not_plain_literals_are_refused(tmp_path):
    import datetime as dt

    source = _notebook(tmp_path / "p.ipynb")
    with pytest.raises(RenderError, match="'week' has type date"):
        execute_notebook(source, {"week": dt.date(2026, 11, 16)}, tmp_path / "out.ipynb")
    with pytest.raises(RenderError, match="not a valid Python identifier"):
        execute_notebook(source, {"top-n": 3}, tmp_path / "out.ipynb")


def test_missing_notebook_is_a_render_error(tmp_path):
    with pytest.raises(RenderError, match="Cannot read the notebook"):
        execute_notebook(tmp_path / "nope.ipynb", {}, tmp_path / "out.ipynb")


def test_paths_with_braces_work_and_metadata_records_paths(tmp_path):
    folder = tmp_path / "odd {shop_id} name"
    folder.mkdir()
    source = _notebook(folder / "nb {x}.ipynb", "y = 1")
    out = folder / "out {0}.ipynb"
    execute_notebook(source, {"shop_id": "0071"}, out)
    meta = nbformat.read(out, as_version=4).metadata["papermill"]
    assert meta["input_path"] == str(source) and meta["output_path"] == str(out)
    assert meta["parameters"] == {"shop_id": "0071"}


def test_relative_paths_are_taken_from_the_callers_directory(tmp_path, monkeypatch):
    (tmp_path / "nb").mkdir()
    (tmp_path / "out").mkdir()
    _notebook(tmp_path / "nb" / "rel.ipynb", "import os\nprint(os.getcwd())")
    monkeypatch.chdir(tmp_path)
    nb = execute_notebook(Path("nb/rel.ipynb"), {}, Path("out/rel.ipynb"))
    assert (tmp_path / "out" / "rel.ipynb").is_file() and not (tmp_path / "nb" / "out").exists()
    assert Path(nb.cells[-1].outputs[0].text.strip()) == tmp_path / "nb"


def test_a_dead_kernel_names_the_cell_that_was_running(tmp_path):
    nb = _notebook(tmp_path / "dies.ipynb", "x = 1", "## Stock section", "import os\nos._exit(1)", "print('never')")
    with pytest.raises(RenderError) as info:
        execute_notebook(nb, {}, tmp_path / "out.ipynb")
    message = str(info.value)
    # cell 1 parameters, 2 `x = 1`, 3 the heading, 4 the cell that ends the kernel's process
    assert "the kernel died in cell 4" in message
    assert 'under "Stock section"' in message and "starting `import os`" in message
    assert "Nothing was published" in message
