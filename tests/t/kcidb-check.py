#!/usr/bin/env python3
"""kcidb-check.py FILE ORIGIN - check a KCIDB submission (t0615-kcidb.sh).

What is checked is KernelCI's KCIDB I/O schema v5.3 as the kcidb-io
repository defines it (kernelci/kcidb-io, kcidb_io/schema/v05_03.py, with
the patterns it inherits from v05_00.py and v03_00.py): each object's
properties with their types, patterns, enums and formats, the required
ones, no other property ("additionalProperties": False) and no null.
Written from the documented fields, with the standard library only;
no line of the schema is copied.

Beyond the schema, what makes a submission complete (the schema's own
description: a test whose build is missing is accepted but not shown):
every checkout_id, build_id, test_id and issue_id names an object of the
file, ids are unique per type, and every object has ORIGIN and an id
that starts with "ORIGIN:".

Prints one line per problem and exits 1, or prints counts and exits 0.
"""
import datetime
import json
import re
import sys
import urllib.parse

# v03_00.py origin_pattern; v05_00.py origin_id_pattern, test_path_re
ORIGIN = r"^[a-z0-9_]+$"
ORIGIN_ID = r"^[a-z0-9_]+:[^\0]*$"
PATH = r"^([a-zA-Z0-9_-]+(\.[a-zA-Z0-9_-]+)*)?$"
TEXT = r"^[^\0]*$"
SHA1 = r"^[0-9a-f]{40}$"                     # v03_00.py sha1_pattern
SHA256_OR_EMPTY = r"^$|^[0-9a-f]{64}$"       # v03_00.py sha256_pattern
STATUS = ["FAIL", "ERROR", "MISS", "PASS", "DONE", "SKIP"]


def s(pattern=TEXT, fmt=None, max_length=None):
    return {"type": "string", "pattern": pattern, "format": fmt,
            "maxLength": max_length}


ID = s(ORIGIN_ID)
TIME = s(None, "date-time")
URI = s(None, "uri")
OBJ = {"type": "object"}                     # "misc": free-form
EXCERPT = s(TEXT, None, 16384)
RESOURCES = {"type": "array", "items": {
    "type": "object", "required": ["name", "url"],
    "properties": {"name": s(r"^[^/\0]+$"), "url": URI}}}

CHECKOUT = {"type": "object", "required": ["id", "origin"], "properties": {
    "_timestamp": TIME, "id": ID, "origin": s(ORIGIN),
    "tree_name": s(), "git_repository_url": s(r"^https://[^\0]*$", "uri"),
    "git_commit_hash": s(SHA1), "git_commit_name": s(),
    "git_commit_tags": {"type": "array", "items": s()},
    "git_commit_message": s(), "git_repository_branch": s(),
    "git_repository_branch_tip": {"type": "boolean"},
    "patchset_files": RESOURCES, "patchset_hash": s(SHA256_OR_EMPTY),
    "message_id": s(None, "email"), "comment": s(), "start_time": TIME,
    "origin_builds_finish_time": TIME, "origin_tests_finish_time": TIME,
    "log_url": URI, "log_excerpt": EXCERPT, "valid": {"type": "boolean"},
    "misc": OBJ}}

BUILD = {"type": "object", "required": ["checkout_id", "id", "origin"],
         "properties": {
    "_timestamp": TIME, "checkout_id": ID, "id": ID, "origin": s(ORIGIN),
    "comment": s(), "start_time": TIME, "duration": {"type": "number"},
    "architecture": s(r"^[a-z0-9_]*$"), "command": s(), "compiler": s(),
    "input_files": RESOURCES, "output_files": RESOURCES,
    "config_name": s(), "config_url": URI, "log_url": URI,
    "log_excerpt": EXCERPT, "status": {"type": "string", "enum": STATUS},
    "misc": OBJ}}

NUMBER = {"type": "object", "required": ["value"], "properties": {
    "value": {"type": "number"}, "unit": s(),
    "prefix": {"type": "string", "enum": ["metric", "binary"]}}}

ENVIRONMENT = {"type": "object", "properties": {
    "compatible": {"type": "array", "items": s(r"^[^ \0]+(,[^ \0]+)*$")},
    "comment": s(), "misc": OBJ}}

TEST = {"type": "object", "required": ["build_id", "id", "origin"],
        "properties": {
    "_timestamp": TIME, "build_id": ID, "id": ID, "origin": s(ORIGIN),
    "environment": ENVIRONMENT, "path": s(PATH), "comment": s(),
    "log_url": URI, "log_excerpt": EXCERPT,
    "status": {"type": "string", "enum": STATUS}, "number": NUMBER,
    "start_time": TIME, "duration": {"type": "number"},
    "input_files": RESOURCES, "output_files": RESOURCES, "misc": OBJ}}

ISSUE = {"type": "object", "required": ["id", "version", "origin"],
         "properties": {
    "_timestamp": TIME, "id": ID,
    "version": {"type": "integer", "minimum": 0}, "origin": s(ORIGIN),
    "categories": {"type": "array", "items": s(PATH)},
    "report_url": URI, "report_subject": s(),
    "culprit": {"type": "object", "properties": {
        "code": {"type": "boolean"}, "tool": {"type": "boolean"},
        "harness": {"type": "boolean"}}},
    "comment": s(), "misc": OBJ}}

INCIDENT = {"type": "object",
            "required": ["id", "origin", "issue_id", "issue_version"],
            "properties": {
    "_timestamp": TIME, "id": ID, "origin": s(ORIGIN), "issue_id": ID,
    "issue_version": {"type": "integer", "minimum": 0}, "build_id": ID,
    "test_id": ID, "present": {"type": "boolean"}, "comment": s(),
    "misc": OBJ}}

TOP = {"type": "object", "required": ["version"], "properties": {
    "version": {"type": "object", "required": ["major"], "properties": {
        "major": {"type": "integer", "const": 5},
        "minor": {"type": "integer", "minimum": 0, "maximum": 3}}},
    "checkouts": {"type": "array", "items": CHECKOUT},
    "builds": {"type": "array", "items": BUILD},
    "tests": {"type": "array", "items": TEST},
    "issues": {"type": "array", "items": ISSUE},
    "incidents": {"type": "array", "items": INCIDENT}}}

TYPES = {
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float))
    and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
}


def format_ok(fmt, v):
    if fmt == "date-time":
        # RFC 3339: a date, "T", a time and an offset (or Z)
        if not re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?"
                        r"(Z|[+-]\d\d:\d\d)$", v):
            return False
        try:
            datetime.datetime.fromisoformat(v.replace("Z", "+00:00"))
        except ValueError:
            return False
        return True
    if fmt == "uri":
        u = urllib.parse.urlparse(v)
        return bool(u.scheme)
    if fmt == "email":
        return re.match(r"^[^@\s]+@[^@\s]+$", v) is not None
    return True


def check(spec, v, where, errors):
    if v is None:
        errors.append(f"{where}: null (the schema allows no null)")
        return
    t = spec.get("type")
    if t and not TYPES[t](v):
        errors.append(f"{where}: not {t}: {v!r:.60}")
        return
    if "const" in spec and v != spec["const"]:
        errors.append(f"{where}: {v!r} is not {spec['const']!r}")
    if "enum" in spec and v not in spec["enum"]:
        errors.append(f"{where}: {v!r} not in {spec['enum']}")
    if "minimum" in spec and v < spec["minimum"]:
        errors.append(f"{where}: {v} < {spec['minimum']}")
    if "maximum" in spec and v > spec["maximum"]:
        errors.append(f"{where}: {v} > {spec['maximum']}")
    if t == "string":
        if spec.get("pattern") and not re.search(spec["pattern"], v):
            errors.append(f"{where}: {v!r:.60} does not match "
                          f"{spec['pattern']}")
        if spec.get("format") and not format_ok(spec["format"], v):
            errors.append(f"{where}: {v!r:.60} is no {spec['format']}")
        if spec.get("maxLength") and len(v) > spec["maxLength"]:
            errors.append(f"{where}: {len(v)} characters, more than "
                          f"{spec['maxLength']}")
    if t == "array" and "items" in spec:
        for i, item in enumerate(v):
            check(spec["items"], item, f"{where}[{i}]", errors)
    if t == "object" and "properties" in spec:
        for key in spec.get("required", []):
            if key not in v:
                errors.append(f"{where}: required '{key}' missing")
        for key, item in v.items():
            if key not in spec["properties"]:
                errors.append(f"{where}: '{key}' is not in the schema")
            else:
                check(spec["properties"][key], item, f"{where}.{key}",
                      errors)


def check_links(data, origin, errors):
    ids = {}
    for kind in ("checkouts", "builds", "tests", "issues", "incidents"):
        ids[kind] = set()
        for i, o in enumerate(data.get(kind, [])):
            where = f"{kind}[{i}]"
            if o.get("origin") != origin:
                errors.append(f"{where}: origin {o.get('origin')!r}")
            if not str(o.get("id", "")).startswith(origin + ":"):
                errors.append(f"{where}: id {o.get('id')!r} does not "
                              f"start with '{origin}:'")
            if o.get("id") in ids[kind]:
                errors.append(f"{where}: id {o.get('id')!r} twice")
            ids[kind].add(o.get("id"))
    links = [("builds", "checkout_id", "checkouts"),
             ("tests", "build_id", "builds"),
             ("incidents", "test_id", "tests"),
             ("incidents", "build_id", "builds"),
             ("incidents", "issue_id", "issues")]
    for kind, key, target in links:
        for i, o in enumerate(data.get(kind, [])):
            if key in o and o[key] not in ids[target]:
                errors.append(f"{kind}[{i}].{key}: {o[key]!r} names no "
                              f"object in '{target}'")
    versions = {(o["id"], o["version"]) for o in data.get("issues", [])}
    for i, o in enumerate(data.get("incidents", [])):
        if (o.get("issue_id"), o.get("issue_version")) not in versions:
            errors.append(f"incidents[{i}]: issue version "
                          f"{o.get('issue_version')} is not in the file")


def reject_constant(name):
    raise ValueError(f"{name} is not JSON")


def main():
    path, origin = sys.argv[1], sys.argv[2]
    with open(path, encoding="utf-8") as f:
        data = json.load(f, parse_constant=reject_constant)
    errors = []
    check(TOP, data, "$", errors)
    if not errors:
        check_links(data, origin, errors)
    for e in errors[:50]:
        print(e)
    if errors:
        return 1
    print(" ".join(f"{k}={len(data.get(k, []))}" for k in
                   ("checkouts", "builds", "tests", "issues", "incidents")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
