"""Builds accommnotify/rules/data/ward_conversion_2025.csv: pre-2025 ward code -> the 2025 ward(s).

Source: the MIT-licensed PyPI package vietnamadminunits 1.0.4 (Tran Ngoc Minh Hieu), its
`data/converter_2025.json` (old ward -> new ward, by name keys) and `data/dataset.db` (codes of the
old and the new wards). Run with the package's folder (unpacked wheel or site-packages):

    pip download --no-deps vietnamadminunits==1.0.4 -d /tmp/w && unzip /tmp/w/*.whl -d /tmp/w/x
    .venv/bin/python tools/build_ward_conversion.py /tmp/w/x/vietnamadminunits

The new wards are re-identified against vietnam-provinces (the project's map, SPEC §3): a target
whose code and name agree is kept; one whose code differs is looked up by its name in its province
(the two sources disagree on a few codes); one that cannot be matched is left out, and an old code
left without a target is not written (the message then says only that the code is old).
Only codes that are not wards of today's map are written (the others are valid codes today).
"""
import json
import sqlite3
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from accommnotify.rules.geography import WARD_NAMES, WARD_PROVINCE  # noqa: E402
from accommnotify.rules.text import fold  # noqa: E402

OUT = Path(__file__).resolve().parents[1] / "accommnotify/rules/data/ward_conversion_2025.csv"


def _name(text: str) -> str:
    return " ".join(fold(text.replace("’", "'").replace("–", "-")).replace(" - ", "-").split())


def main(package: Path) -> None:
    conv = json.loads((package / "data/converter_2025.json").read_text(encoding="utf-8"))
    db = sqlite3.connect(package / "data/dataset.db")
    old = {f"{p}_{d}_{w}": code for p, d, w, code in
           db.execute("SELECT provinceKey, districtKey, wardKey, wardCode FROM admin_units_legacy")}
    by_name = defaultdict(list)
    for code, name in WARD_NAMES.items():
        by_name[(WARD_PROVINCE[code], _name(name))].append(code)
    new = {}
    for pkey, wkey, pcode, name, code in db.execute(
            "SELECT provinceKey, wardKey, provinceCode, ward, wardCode FROM admin_units"):
        if code in WARD_NAMES and _name(WARD_NAMES[code]) == _name(name):
            new[(pkey, wkey)] = code
        elif len(by_name.get((pcode, _name(name)), ())) == 1:
            new[(pkey, wkey)] = by_name[(pcode, _name(name))][0]
    targets = defaultdict(list)  # old code -> [(is the default target, new code)]
    for pkey, wards in conv["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for wkey, olds in wards.items():
            for key in olds:
                if key in old and (pkey, wkey) in new:
                    targets[old[key]].append((True, new[(pkey, wkey)]))
    for pkey, olds in conv["DICT_PROVINCE_WARD_DIVIDED"].items():
        for key, parts in olds.items():
            for part in parts:
                if key in old and (pkey, part["newWardKey"]) in new:
                    targets[old[key]].append((bool(part["isDefaultNewWard"]), new[(pkey, part["newWardKey"])]))
    lines = []
    for code in sorted(targets):
        if code in WARD_NAMES:
            continue
        codes = list(dict.fromkeys(c for _default, c in sorted(targets[code], key=lambda t: not t[0])))
        lines.append(f"{code},{' '.join(codes)}")
    OUT.write_text("# pre-2025 ward code,2025 ward code(s) it went into (the main one first)\n"
                   "# built by tools/build_ward_conversion.py from vietnamadminunits 1.0.4 (MIT, (c) 2025 Tran Ngoc\n"
                   "# Minh Hieu), new wards matched to vietnam-provinces 2025.10.1\n" + "\n".join(lines) + "\n",
                   encoding="utf-8")
    print(f"{len(lines)} old codes written to {OUT}")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
