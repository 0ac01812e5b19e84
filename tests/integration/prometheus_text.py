#!/usr/bin/env python3
"""A strict reader of Prometheus' text exposition format (0.0.4), for tests.

parse(text) -> {(name, ((label, value), ...)): float}, raising ValueError
with the line for anything malformed: a sample whose family has no `# TYPE`
before it, a family typed twice, a bad name, label or value, a sample
written twice, histogram buckets that are not cumulative or whose `+Inf`
bucket is not the count.

As a command: prometheus_text.py FILE checks FILE and prints each sample as
`name{labels} value`, sorted.
"""
import math
import re
import sys

NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL = r'[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*"'
SAMPLE = re.compile(
    rf"({NAME})(?:\{{((?:{LABEL})(?:,{LABEL})*)?,?\}})? (\S+)(?: -?\d+)?$")
LABEL_PAIR = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"')
TYPES = {"counter", "gauge", "histogram", "summary", "untyped"}


def _value(text, line):
    if text in ("+Inf", "-Inf", "NaN"):
        return float(text.replace("Inf", "inf").replace("NaN", "nan"))
    try:
        return float(text)
    except ValueError:
        raise ValueError(f"not a number in: {line!r}")


def parse(text):
    types, samples, buckets = {}, {}, {}
    for line in text.splitlines():
        if not line.strip():
            continue
        if line.startswith("#"):
            parts = line.split(None, 3)
            if len(parts) >= 2 and parts[1] == "TYPE":
                if len(parts) != 4 or not re.fullmatch(NAME, parts[2]) or \
                        parts[3] not in TYPES:
                    raise ValueError(f"bad TYPE line: {line!r}")
                if parts[2] in types:
                    raise ValueError(f"{parts[2]} typed twice")
                types[parts[2]] = parts[3]
            continue
        m = SAMPLE.match(line)
        if not m:
            raise ValueError(f"not a sample: {line!r}")
        name, labels, value = m.group(1), m.group(2) or "", m.group(3)
        family = name
        if family not in types:
            for suffix in ("_bucket", "_sum", "_count"):
                if name.endswith(suffix) and name[:-len(suffix)] in types:
                    family = name[:-len(suffix)]
        if family not in types:
            raise ValueError(f"sample before its # TYPE: {line!r}")
        pairs = tuple(sorted(
            (k, v.replace('\\n', '\n').replace('\\"', '"').replace('\\\\', '\\'))
            for k, v in LABEL_PAIR.findall(labels)))
        v = _value(value, line)
        key = (name, pairs)
        if key in samples:
            raise ValueError(f"sample written twice: {line!r}")
        samples[key] = v
        if types[family] == "histogram":
            rest = tuple(p for p in pairs if p[0] != "le")
            if name.endswith("_bucket"):
                last = buckets.get((family, rest), 0.0)
                if v < last:
                    raise ValueError(f"buckets not cumulative: {line!r}")
                buckets[(family, rest)] = v
                if dict(pairs).get("le") == "+Inf":
                    buckets[(family, rest, "inf")] = v
            elif name.endswith("_count"):
                if buckets.get((family, rest, "inf")) != v:
                    raise ValueError(f"+Inf bucket is not the count: {line!r}")
    return samples


def value(samples, name, **labels):
    """The sample `name{labels}`, or None."""
    return samples.get((name, tuple(sorted(labels.items()))))


def values(samples, name):
    """Every sample of `name`, as (labels dict, value)."""
    return [(dict(k[1]), v) for k, v in samples.items() if k[0] == name]


if __name__ == "__main__":
    got = parse(open(sys.argv[1]).read())
    for (name, pairs), v in sorted(got.items()):
        labels = ",".join(f'{k}="{x}"' for k, x in pairs)
        print(f"{name}{{{labels}}} {v:g}" if labels else f"{name} {v:g}")
