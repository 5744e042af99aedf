# Sourced by scripts/run and scripts/test, after `root` is set. Python's bytecode cache goes to
# one folder of the checkout (.cache/pycache, ignored by git) and is written even where
# PYTHONDONTWRITEBYTECODE is set, as on machines that keep their trees free of __pycache__:
# without it every Python process compiles each module it imports again (`wfd serve` spends
# 2 s of CPU more on each start, `wfd check` 0.7 s), and the tests start hundreds of them.
unset PYTHONDONTWRITEBYTECODE
export PYTHONPYCACHEPREFIX="${PYTHONPYCACHEPREFIX:-$root/.cache/pycache}"
