#!/usr/bin/env python3
"""The differential run: Segment's own integration (the oracle) against `pinterest-map`, on
generated adversarial messages under several settings. Every output line is compared as
JavaScript reads it (both sides re-serialized by `JSON.stringify`); each difference must be
one the README's compatibility table lists, or the run fails.

    python3 differential/run.py [--count N] [--seed S] [--tool PATH]

Needs Node.js and the oracle's packages (`cd differential/oracle && npm ci`), and a built
`pinterest-map` (default: `target/release/pinterest-map`). Prints a Markdown report; exits
with status 1 when a difference is not explained.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
ORACLE = HERE / "oracle" / "oracle.js"
NORMALIZE = HERE / "normalize.js"

CUSTOM = ["custom_prop", "address.city", "items.1.n", "products.0.name", "name.0", "__proto__",
          "order_id", "event_id", "a.b", "12", "user.tier", ""]

# Each: a name, the settings, and whether the oracle runs without its date conversion (the
# settings then also turn it off here).
SETTINGS = [
    ("built-in example", json.loads((ROOT / "examples" / "settings.json").read_text()), False),
    ("tag ID only", {"tid": "2620795819800"}, False),
    ("everything on", {
        "tid": "2620795819800",
        "pinterestEventMapping": {"Lead Generated": "Lead", "order completed": "Custom",
                                  "Product Added": "", "İstanbul": "Signup"},
        "pinterestCustomProperties": CUSTOM,
        "useEnhancedMatchLoad": True,
        "mapMessageIdToEventId": True,
    }, False),
    ("event mapping as an array", {
        "tid": "2620795819800", "pinterestEventMapping": ["Lead", "Signup"],
        "pinterestCustomProperties": ["custom_prop"],
    }, False),
    ("no tag ID", {"tid": "", "pinterestCustomProperties": ["custom_prop"]}, False),
    ("event_id from messageId and custom", {
        "tid": "2620795819800", "mapMessageIdToEventId": True,
        "pinterestCustomProperties": ["event_id", "messageId", "line_items"],
    }, False),
    ("dates off", {
        "tid": "2620795819800", "pinterestCustomProperties": CUSTOM,
        "pinterestEventMapping": {"2024-01-02": "Lead"},
    }, True),
    ("Segment's map shape, values of other types", {
        "tid": 2620795819800,
        "pinterestEventMapping": [{"key": "Lead Generated", "value": "Lead"},
                                  {"key": "User Signed Up", "value": "Signup"}],
        "pinterestCustomProperties": "custom_prop",
        "useEnhancedMatchLoad": "false",
        "mapMessageIdToEventId": 1,
    }, False),
    ("event mapping and custom properties of other types", {
        "tid": "2620795819800",
        "pinterestEventMapping": {"Lead Generated": 0, "User Signed Up": None, "0": True,
                                  "1": {"to": "Lead"}, "Some Custom Event": "Custom"},
        "pinterestCustomProperties": [5, True, None, {"a": 1}, ["order_id", "12"], "custom_prop"],
        "mapMessageIdToEventId": "false",
    }, False),
    ("event mapping as a string, custom properties array-like", {
        "tid": "2620795819800", "pinterestEventMapping": "LS",
        "pinterestCustomProperties": {"length": 3, "0": "custom_prop", "1": 12},
    }, False),
    ("non-ASCII mapping", {
        "tid": "2620795819800",
        "pinterestEventMapping": {"İstanbul": "Lead", "ß": "Signup", "\u212aelvin": "Custom",
                                  "Σ": "Lead", "crème brûlée": "Signup"},
    }, False),
]

# The compatibility table's rows, by what shows them.
ROWS = {
    "null-product": "a `null` entry in the products array",
    "no-event": "a track message whose `event` is missing or not a string",
    "no-type": "a message without a string `type`",
    "string-index": "a custom property path through a string",
    "digit-keys": "property names made of digits",
    "surrogate-event": "a lone surrogate escape in an event name",
    "case-folding": "case-insensitive event matching on non-ASCII letters",
    "primitive-fields": "page `properties` or identify `traits` that are non-empty primitives",
    "user-id": "a `userId` that is not a string",
    "array-properties": "track `properties` given as an array",
    "date-event": "a date-shaped event name with any `pinterestEventMapping` set",
    "proto": "a `__proto__` key in a message",
    "non-string-mapping": "an event mapped to a value that is not a string",
}


def run(command, stdin, env=None):
    result = subprocess.run(command, input=stdin, capture_output=True, env=env)
    return result.stdout.decode("utf-8", "replace"), result.stderr.decode("utf-8", "replace")


def normalized(lines):
    out, _ = run(["node", str(NORMALIZE)], ("\n".join(lines) + "\n").encode())
    return out.split("\n")[: len(lines)]


def oracle(settings_file, messages, *extra):
    env = dict(os.environ, TZ="UTC")
    out, err = run(["node", str(ORACLE), "--every-line", "--diag", "--quiet", "--settings",
                    settings_file, *extra], messages, env)
    threw = {}
    for line in err.splitlines():
        match = re.match(r"^[^:]*:(\d+): threw (.*)$", line)
        if match:
            threw[int(match.group(1))] = match.group(2)
    return out.split("\n"), threw


def tool(path, settings_file, messages_file):
    out, err = run([str(path), "-q", "--settings", settings_file, messages_file], b"")
    rejected = {}
    for line in err.splitlines():
        match = re.match(r"^.*:(\d+): (.*)$", line)
        if match:
            rejected[int(match.group(1))] = match.group(2)
    return out.split("\n"), rejected


ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:?\d{2}(?::?\d{2}(?:[,.]\d+)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?)?$")


def parsed(message):
    try:
        value = json.loads(message)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def explain_by_report(fields, threw, rejected):
    """The row of a difference that Segment's code threw on, or that this tool reported."""
    kind = fields.get("type")
    properties = fields.get("properties")
    if rejected:
        if "type" in rejected and not isinstance(kind, str):
            return "no-type"
        if "event" in rejected and kind == "track" and not isinstance(fields.get("event"), str):
            return "no-event"
        return None
    primitive = lambda value: not isinstance(value, (dict, type(None))) and bool(value)
    if "Cannot create property" in threw and (
        (kind == "page" and primitive(properties))
        or (kind == "identify" and primitive(fields.get("traits")))
    ):
        return "primitive-fields"
    event = fields.get("event")
    if "toLowerCase" in threw and isinstance(event, str) and ISO_DATE.match(event):
        return "date-event"
    products = [value for key, value in (properties or {}).items()
                if re.sub(r"[^a-zA-Z0-9.]", "", key).lower() == "products"] \
        if isinstance(properties, dict) else []
    if "Cannot read properties of null" in threw and any(
        isinstance(value, list) and None in value for value in products
    ):
        return "null-product"
    return None


EVENT_TEXT = re.compile(r'("event":")((?:[^"\\]|\\.)*)(")')
LONE = re.compile(r"\\ud[89a-f][0-9a-f]{2}", re.IGNORECASE)


def neutralized(message):
    """The message without the features whose differences the table lists and that a change
    of input removes: `__proto__` keys renamed, lone surrogates in the event name replaced
    by U+FFFD. Also the rows that applied."""
    rows = []
    renamed = message.replace('"__proto__"', '"__protx__"').replace('"__pro\\u0074o__"', '"__protx__"')
    if renamed != message:
        rows.append("proto")
    replaced = EVENT_TEXT.sub(lambda m: m.group(1) + LONE.sub("\\\\ufffd", m.group(2)) + m.group(3), renamed)
    if replaced != renamed:
        rows.append("surrogate-event")
    return replaced, rows


def explain_by_shape(fields, ours, theirs):
    """The row of a remaining difference that the message's shape shows."""
    kind = fields.get("type")
    event = fields.get("event")
    if kind == "track" and isinstance(event, str) and not event.isascii() \
            and only_event_differs(ours, theirs):
        return "case-folding"
    if kind == "track" and isinstance(event, str) and only_event_differs(ours, theirs) \
            and not isinstance(json.loads(theirs)[0][1], str) and json.loads(ours)[0][1] == event:
        return "non-string-mapping"
    if kind == "identify" and not isinstance(fields.get("userId"), (str, type(None))):
        return "user-id"
    if kind == "track" and isinstance(fields.get("properties"), list):
        return "array-properties"
    return None


def only_event_differs(ours, theirs):
    """Whether two outputs are one track call each, differing only in the event name."""
    try:
        a, b = json.loads(ours), json.loads(theirs)
    except (TypeError, ValueError):
        return False
    return (len(a) == len(b) == 1 and a[0][0] == b[0][0] == "track"
            and a[0][2:] == b[0][2:] and a[0][1] != b[0][1])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--tool", default=str(ROOT / "target" / "release" / "pinterest-map"))
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="pinterest-differential-"))
    report = ["# Differential run", "",
              f"`differential/generate.py {args.count} SEED`, one seed per settings "
              f"(from {args.seed}), against Segment's integration.", "",
              "| settings | messages | same | explained | unexplained |", "|---|---|---|---|---|"]
    rows = Counter()
    unexplained_examples = []
    for index, (name, settings, no_traverse) in enumerate(SETTINGS):
        seed = args.seed + index
        messages, _ = run([sys.executable, str(HERE / "generate.py"), str(args.count), str(seed)], b"")
        messages_file = work / f"messages-{index}.ndjson"
        messages_file.write_text(messages)
        lines = messages.split("\n")[: args.count]
        oracle_settings = work / f"oracle-{index}.json"
        tool_settings = work / f"tool-{index}.json"
        oracle_settings.write_text(json.dumps(settings))
        ours_settings = dict(settings, disableAutoISOConversion=True) if no_traverse else settings
        tool_settings.write_text(json.dumps(ours_settings))
        extra = ["--no-traverse"] if no_traverse else []
        theirs, threw = oracle(str(oracle_settings), messages.encode(), *extra)
        ours_raw, rejected = tool(args.tool, str(tool_settings), str(messages_file))
        ours_lines = iter(normalized(ours_raw))
        same = explained = unexplained = 0
        differing = []
        aligned = []
        for number, message in enumerate(lines, start=1):
            ours = None if number in rejected else next(ours_lines, None)
            aligned.append(ours)
            if ours == theirs[number - 1]:
                same += 1
            else:
                differing.append(number)
        # Differences that a report explains; the others are run again, neutralized (the
        # features the table lists changed in the input, the oracle without string indexing).
        pending = []
        for number in differing:
            fields = parsed(lines[number - 1])
            if number in threw or number in rejected:
                row = explain_by_report(fields, threw.get(number, ""), rejected.get(number))
                outcome = [row] if row else None
            else:
                pending.append(number)
                continue
            if outcome is None:
                unexplained += 1
                if len(unexplained_examples) < 20:
                    unexplained_examples.append((name, number, lines[number - 1],
                                                 aligned[number - 1], theirs[number - 1],
                                                 threw.get(number), rejected.get(number)))
            else:
                explained += 1
                rows.update(outcome)
        if pending:
            changed = [neutralized(lines[n - 1]) for n in pending]
            batch = work / f"neutral-{index}.ndjson"
            batch.write_text("\n".join(text for text, _ in changed) + "\n")
            mine_raw, mine_rejected = tool(args.tool, str(tool_settings), str(batch))
            mine_lines = iter(normalized(mine_raw))
            mine = [None if k in mine_rejected else next(mine_lines, None)
                    for k in range(1, len(pending) + 1)]
            segment, _ = oracle(str(oracle_settings), batch.read_bytes(), *extra)
            plain_segment, _ = oracle(str(oracle_settings), batch.read_bytes(),
                                      "--no-string-index", *extra)
            for k, number in enumerate(pending):
                text, outcome = changed[k]
                if mine[k] != segment[k] and mine[k] == plain_segment[k]:
                    outcome = outcome + ["string-index"]
                elif mine[k] != segment[k]:
                    row = explain_by_shape(parsed(text), mine[k], segment[k])
                    outcome = outcome + [row] if row else None
                if not outcome:
                    outcome = None
                if outcome is None:
                    unexplained += 1
                    if len(unexplained_examples) < 20:
                        unexplained_examples.append((name, number, lines[number - 1],
                                                     aligned[number - 1], theirs[number - 1],
                                                     None, None))
                else:
                    explained += 1
                    rows.update(outcome)
        report.append(f"| {name} | {len(lines)} | {same} | {explained} | {unexplained} |")
    report += ["", "Explained differences, by row of the README's compatibility table:", "",
               "| row | lines |", "|---|---|"]
    for row, count in rows.most_common():
        report.append(f"| {ROWS[row]} | {count} |")
    report += ["", "(A line may show several rows.)"]
    if unexplained_examples:
        report += ["", "Unexplained:", ""]
        for name, number, message, ours, theirs, threw, rejected in unexplained_examples:
            report += [f"- {name}, line {number}: `{message}`", f"  - here: `{ours}`",
                       f"  - Segment: `{theirs}`" + (f" (threw {threw})" if threw else ""),
                       *( [f"  - rejected here: {rejected}"] if rejected else [])]
    print("\n".join(report))
    sys.exit(1 if unexplained_examples else 0)


if __name__ == "__main__":
    main()
