"""Import every file given on the command line; exit 1 if any fails to import."""

import importlib.util
import sys
import traceback

if __name__ == "__main__":
    failed = False
    for file in sys.argv[1:]:
        try:
            spec = importlib.util.spec_from_file_location("check_imports_module", file)
            assert spec is not None, f"{file} is not a Python module"  # noqa: S101
            assert spec.loader is not None  # noqa: S101
            spec.loader.exec_module(importlib.util.module_from_spec(spec))
        except Exception:  # report every failure, then fail
            failed = True
            print(file)
            traceback.print_exc()
            print()
    sys.exit(1 if failed else 0)
