#!/usr/bin/env bash
# Installs what the notebook and kernel tests need from Debian's packages (PyPI is not used):
# Jupyter (notebook, nbconvert, nbclient, jupyter_client, the kernel test suite), for bench/
# scikit-learn and pandas, SciPy (the drift statistics' tests compare with it), and Chromium (the
# edge export's test loads an exported model in it; the monitor report's test screenshots it). Run as root
# (or with sudo). Safe to run again: it skips what is there.
set -euo pipefail
packages=(jupyter-notebook jupyter-nbconvert python3-nbclient jupyter-client python3-jupyter-kernel-test python3-sklearn python3-pandas python3-scipy chromium)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "setup-jupyter: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
/usr/bin/python3 -c "import nbconvert, nbclient, jupyter_client, jupyter_kernel_test" && echo "setup-jupyter: ok ($(/usr/bin/jupyter nbconvert --version 2>/dev/null | tail -1) nbconvert)"
