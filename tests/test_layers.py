"""The layers drawn by the tree are enforced: import-linter checks the contracts written in
pyproject.toml ([tool.importlinter]): staff > web > session > channels > content > core, the
the settings and errors trees below them, and a core that loads no loader, web, store or Twilio code."""
from __future__ import annotations

import shutil
import subprocess
import sysconfig
from pathlib import Path

from conftest import ROOT


def lint_imports(package_root: Path) -> subprocess.CompletedProcess:
    """import-linter's own command, from this interpreter's scripts folder: a version manager's
    shims (pyenv) may not know a command installed a moment ago until they are rehashed."""
    scripts = Path(sysconfig.get_path("scripts"))
    lint = scripts / "lint-imports"
    assert lint.exists(), "import-linter is a dev dependency: pip install -e '.[dev]'"
    return subprocess.run([str(lint), "--no-cache"], cwd=package_root, capture_output=True, text=True, timeout=120,
                          env={"PYTHONPATH": str(package_root), "PATH": f"{scripts}:/usr/bin:/bin"})


def test_the_import_contracts_hold():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "0 broken" in result.stdout


def test_a_broken_layer_is_caught(tmp_path):
    """The contract can fail: a core module importing the store is reported as broken."""
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    layers = next(c for c in config["contracts"] if c["type"] == "layers")["layers"]
    assert layers[0] == "hotline.staff" and "hotline.core" in layers
    package = tmp_path / "hotline"
    shutil.copytree(ROOT / "hotline", package, ignore=shutil.ignore_patterns("__pycache__"))
    (package / "core" / "leak.py").write_text("from hotline.session import store\n")
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    result = lint_imports(tmp_path)
    assert result.returncode != 0
    assert "hotline.core.leak -> hotline.session.store" in result.stdout
