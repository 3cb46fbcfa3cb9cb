"""benchjson.py - read what `mmstorm ... --json` wrote, for bench/*.sh.

The scripts append several runs' output to one file; mmstorm prints one
object per line, stress-ng and cpurun.py pretty-print.  objects() takes
them all, however they are laid out.
"""
import json


def objects(path):
    """Every JSON object in the file, in order; [] when it cannot be read."""
    try:
        text = open(path).read()
    except OSError:
        return []
    dec, out, i = json.JSONDecoder(), [], 0
    while True:
        while i < len(text) and text[i].isspace():
            i += 1
        if i >= len(text):
            return out
        obj, i = dec.raw_decode(text, i)
        out.append(obj)
