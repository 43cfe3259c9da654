#!/usr/bin/env python3
"""Records what CPython says for the inputs of test/py/cases/*.json (the Python ports in engine/py).

Each case file holds {"python": <version>, "port": <name>, "cases": [{"input": ..., "expected": ...}]};
this script keeps the inputs, recomputes every "expected" with the running python3 and rewrites the
files. Run it with the same Python Ansible uses (Debian 12: /usr/bin/python3, 3.11):

    /usr/bin/python3 test/py/record.py

Left out on purpose, because tsplay holds data as JSON-like values: sets, complex numbers, bytes
(kept as str) and dict keys that are not strings (kept as their str()).
"""
import ast
import fnmatch
import json
import os
import shlex
import sys

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "cases")


def literal(text):
    # what Ansible's INI plugin does: literal_eval, or the text itself when Python refuses it
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError, MemoryError, RecursionError, TypeError):
        return text


def py_type(v):
    return type(v).__name__


def do_repr(inp):
    v = literal(inp)
    return {"repr": repr(v), "str": str(v), "type": py_type(v)}


def do_literal(inp):
    v = literal(inp)
    return {"repr": repr(v), "type": py_type(v)}


def do_json(inp):
    v = literal(inp["literal"])
    return json.dumps(v, indent=inp.get("indent"), sort_keys=inp.get("sort_keys", False), ensure_ascii=inp.get("ensure_ascii", True))


def do_shlex(inp):
    try:
        if inp.get("punctuation_chars"):
            lex = shlex.shlex(inp["text"], posix=True, punctuation_chars=inp["punctuation_chars"])
            lex.whitespace_split = True
            if not inp.get("comments"):
                lex.commenters = ""
            return {"words": list(lex)}
        return {"words": shlex.split(inp["text"], comments=inp.get("comments", False))}
    except ValueError as e:
        return {"error": str(e)}


def do_quote(inp):
    return shlex.quote(inp)


def do_fnmatch(inp):
    return fnmatch.fnmatchcase(inp["name"], inp["pattern"])


PORTS = {"repr": do_repr, "literal": do_literal, "json": do_json, "shlex": do_shlex, "quote": do_quote, "fnmatch": do_fnmatch}


def main():
    version = sys.version.split()[0]
    for name in sorted(os.listdir(HERE)):
        if not name.endswith(".json"):
            continue
        path = os.path.join(HERE, name)
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
        fn = PORTS[data["port"]]
        for case in data["cases"]:
            case["expected"] = fn(case["input"])
        data["python"] = version
        with open(path, "w", encoding="utf-8") as f:
            json.dump(data, f, indent=1)
            f.write("\n")
        print(f"recorded {name}: {len(data['cases'])} cases with Python {version}")


main()
