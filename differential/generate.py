#!/usr/bin/env python3
"""Adversarial Segment messages for the differential run: NDJSON on standard output.

    python3 differential/generate.py COUNT SEED > messages.ndjson

Every line is one message, built from pieces chosen to hit the destination's rules and their
edges: spec event names under the alias rule (case, separators, the action-first form,
prefixes), user-mapped names, non-ASCII and date-shaped names, names with lone surrogate
escapes; properties whose keys vary under the loose key rule, repeat, differ only in lone
surrogates, spell `__proto__` or look like integers; values of every JSON type, numbers in
every spelling (`-0`, `1e400`, `0.000…1`, big integers), date-shaped strings (ISO 8601 and
near misses, JavaScript rollover), markup; products arrays with holes and non-objects; page
names and categories; identify traits and user IDs of every type. Text is written as JSON
directly (not through `json.dumps`) where the spelling matters: numbers, escapes, repeated keys.
"""

import random
import sys

SPEC_EVENTS = [
    "Products Searched", "Product List Filtered", "Product Added", "Order Completed",
    "Video Playback Started",
]
ACTION_FIRST = [
    "Searched Products", "Filtered Product List", "Added Product", "Completed Order",
    "Started Video Playback",
]
MAPPED = ["Lead Generated", "User Signed Up", "Some Custom Event", "lead generated", "0", "1"]
OTHER_EVENTS = [
    "Newsletter Opened", "", " ", "Order  Completed", "Order-Completed", "Added Product To Wishlist",
    "Product Added To Wishlist", "ORDER_COMPLETED", "_order completed_", "ordercompleted",
    "Order Completed ", "Crème Brûlée", "\u212aelvin", "İstanbul", "ß", "Σ",
    "2024-01-02", "2024-13-45T10:20", "2024-01-02 10:00", "20240102",
]
DATES = [
    "2024-01-02", "2024-13-45", "2024-00-00", "0050-06-15", "9999-12-31T23:59:59.999Z",
    "2024-01-02T10:20", "2024-01-02T1020", "2024-01-02T10:20:30.5", "2024-01-02T10:20:30,123456",
    "2024-01-02T10:20+05:30", "2024-01-02T10:20-0130", "2024-01-02T10:20:30Z",
    "2024-02-30T25:61:61", "2024-01-02 10:20", "2024-01-02T10", "2024-01-02T",
    "2024-1-02", "2024-01-02x", "x2024-01-02", "2024-01-02T10:20:3", "2024-01-02T10:20+5",
    "2024-99-99T99:99:99.999-99:99",
]
STRINGS = [
    "", " ", "0", "false", "null", "text", "jane@example.com", "a@b.c", "user-123",
    "</script><script>x</script>", "<!--", "&amp;", "line\\nbreak", "tab\\t", "quote\\\"",
    "\\u2028\\u2029", "\\ud800", "\\udc00x", "\\ud83d\\ude00", "é", "🦀", "\\u0000",
    "\\u0032024-01-02", "2024\\u002d01-02",
]
NUMBERS = [
    "0", "-0", "0.0", "-0.0", "1", "-1", "1.50", "1e2", "1E+2", "1e-7", "1e400", "-1e400",
    "1e-400", "0." + "0" * 400 + "1", "-0." + "0" * 400 + "1", "12345678901234567890123",
    "9007199254740993", "0.1", "5e-324", "2.5e-324", "100", "3.14159",
]
LOOSE = {
    "query": ["query", "Query", "QUERY", "q_uery", "query!", "qu ery"],
    "order_id": ["order_id", "orderId", "OrderID", "order-id", "Order ID", "orderid", "order_id_"],
    "coupon": ["coupon", "Coupon", "cou.pon", "coupon "],
    "value": ["value", "Value", "VALUE", "val_ue"],
    "currency": ["currency", "Currency", "cur-rency"],
    "products": ["products", "Products", "PRODUCTS", "pro_ducts"],
    "custom_prop": ["custom_prop", "customProp", "Custom-Prop", "custom.prop", "customprop"],
    "name": ["name", "Name"], "sku": ["sku", "SKU"], "price": ["price", "Price"],
    "product_id": ["product_id", "productId"], "category": ["category", "Category"],
    "quantity": ["quantity"], "brand": ["brand"], "variant": ["variant"],
}
ODD_KEYS = [
    "__proto__", "__pro\\u0074o__", "constructor", "toString", "0", "12", "1.5", "-1", "",
    "a.b", "address", "order\\ud800id", "order\\udc00id", "em\\ud800ail", "custom\\ud800prop",
    "event_id", "eid", "eventID", "messageId",
]
PRODUCT_FIELDS = ["name", "product_id", "sku", "category", "variant", "price", "quantity",
                  "brand"]


def string(rng):
    pick = rng.random()
    if pick < 0.3:
        return '"' + rng.choice(DATES) + '"'
    return '"' + rng.choice(STRINGS) + '"'


def scalar(rng):
    pick = rng.random()
    if pick < 0.35:
        return rng.choice(NUMBERS)
    if pick < 0.8:
        return string(rng)
    return rng.choice(["true", "false", "null"])


def value(rng, depth=0):
    pick = rng.random()
    if depth < 3 and pick < 0.12:
        return obj(rng, depth + 1)
    if depth < 3 and pick < 0.2:
        return "[" + ",".join(value(rng, depth + 1) for _ in range(rng.randrange(4))) + "]"
    return scalar(rng)


def key(rng):
    pick = rng.random()
    if pick < 0.6:
        return rng.choice(rng.choice(list(LOOSE.values())))
    if pick < 0.85:
        return rng.choice(ODD_KEYS)
    return rng.choice(["x", "y", "plan", "user", "tier", "items"])


def obj(rng, depth=0, keys=None):
    count = rng.randrange(5) if keys is None else len(keys)
    keys = keys or [key(rng) for _ in range(count)]
    return "{" + ",".join(f'"{k}":{value(rng, depth)}' for k in keys) + "}"


def product(rng):
    pick = rng.random()
    if pick < 0.05:
        return "null"
    if pick < 0.1:
        return rng.choice(['"p"', "5", "[]", "true"])
    fields = rng.sample(PRODUCT_FIELDS, rng.randrange(len(PRODUCT_FIELDS) + 1))
    if rng.random() < 0.2:
        fields += [rng.choice(ODD_KEYS + ["Name", "SKU", "x"])]
    if rng.random() < 0.1 and fields:
        fields.append(fields[0])
    return "{" + ",".join(f'"{f}":{value(rng, 2)}' for f in fields) + "}"


def properties(rng):
    parts = []
    for _ in range(rng.randrange(7)):
        name = rng.choice(list(LOOSE))
        k = rng.choice(LOOSE[name]) if rng.random() < 0.8 else rng.choice(ODD_KEYS)
        if name == "products" and rng.random() < 0.8:
            v = "[" + ",".join(product(rng) for _ in range(rng.randrange(4))) + "]"
        elif name == "custom_prop" and rng.random() < 0.3:
            v = obj(rng, 1, ["prop", "Prop", "0"])
        else:
            v = value(rng)
        parts.append(f'"{k}":{v}')
    if rng.random() < 0.1:
        parts.append('"address":{"city":' + string(rng) + ',"City":"second"}')
    if rng.random() < 0.1:
        parts.append('"items":[{"n":1},' + value(rng) + "]")
    if rng.random() < 0.2 and parts:
        parts.append(rng.choice(parts))
    return "{" + ",".join(parts) + "}"


def odd(rng):
    """A value of the wrong type for an optional field."""
    return rng.choice(['"abc"', '""', "5", "0", "true", "false", "null", "[]", "[1]", "{}"])


def event(rng):
    pick = rng.random()
    if pick < 0.3:
        name = rng.choice(SPEC_EVENTS)
    elif pick < 0.45:
        name = rng.choice(ACTION_FIRST)
    elif pick < 0.6:
        name = rng.choice(MAPPED)
    else:
        name = rng.choice(OTHER_EVENTS)
    # The alias rule: case and separators.
    if rng.random() < 0.3:
        name = rng.choice([name.lower(), name.upper(), name.replace(" ", "_"),
                           name.replace(" ", ""), "_" + name, name + " ", name.title()])
    if rng.random() < 0.03:
        name += "\\ud800"
    return '"' + name + '"'


def message_id(rng):
    pick = rng.random()
    if pick < 0.4:
        return None
    if pick < 0.8:
        return f'"m-{rng.randrange(1000)}"'
    return rng.choice(['"2024-01-02"', "42", "null", '""', "{}", '"</script>"'])


def track(rng):
    fields = ['"type":"track"']
    pick = rng.random()
    if pick < 0.97:
        fields.append('"event":' + event(rng))
    elif pick < 0.985:
        fields.append('"event":' + odd(rng))
    mid = message_id(rng)
    if mid is not None:
        fields.append('"messageId":' + mid)
    pick = rng.random()
    if pick < 0.85:
        fields.append('"properties":' + properties(rng))
    elif pick < 0.95:
        fields.append('"properties":' + odd(rng))
    return fields


def page(rng):
    fields = ['"type":"page"']
    if rng.random() < 0.7:
        fields.append('"name":' + (string(rng) if rng.random() < 0.8 else value(rng)))
    if rng.random() < 0.5:
        fields.append('"category":' + (string(rng) if rng.random() < 0.8 else value(rng)))
    mid = message_id(rng)
    if mid is not None:
        fields.append('"messageId":' + mid)
    pick = rng.random()
    if pick < 0.6:
        keys = rng.sample(["event_id", "eid", "eventID", "Event_ID", "eventId", "x"],
                          rng.randrange(4))
        fields.append('"properties":' + obj(rng, 1, keys or None))
    elif pick < 0.7:
        fields.append('"properties":' + odd(rng))
    return fields


def identify(rng):
    fields = ['"type":"identify"']
    pick = rng.random()
    if pick < 0.5:
        fields.append('"userId":' + rng.choice(
            ['"jane@example.com"', '"user-1"', '"a@b"', '" x a@b.c y"', '"line\\na@b.c"']))
    elif pick < 0.6:
        fields.append('"userId":' + rng.choice(['5', '["a@b.co"]', '{"e":"a@b.co"}', "null"]))
    pick = rng.random()
    if pick < 0.7:
        email_key = rng.choice(["email", "Email", "e-mail", "EMAIL", "em\\ud800ail", "mail"])
        email = rng.choice(['"jane@example.com"', '""', "null", "0", '"2024-01-02"',
                            '{"__proto__":{"p":1},"x":1}', "[1]", '"</script>"'])
        extra = ',"email":"second@example.com"' if rng.random() < 0.2 else ""
        fields.append(f'"traits":{{"{email_key}":{email}{extra}}}')
    elif pick < 0.8:
        fields.append('"traits":' + odd(rng))
    return fields


def message(rng):
    pick = rng.random()
    if pick < 0.6:
        fields = track(rng)
    elif pick < 0.8:
        fields = page(rng)
    elif pick < 0.95:
        fields = identify(rng)
    else:
        fields = ['"type":' + rng.choice(['"alias"', '"group"', '"screen"', '"Track"'])]
    if rng.random() < 0.3:
        fields.append('"timestamp":"2026-11-28T12:00:00.000Z"')
    if rng.random() < 0.05 and len(fields) > 1:
        # A repeated field: the last one counts.
        fields.append(rng.choice(fields[1:]))
    rng.shuffle(fields)
    return "{" + ",".join(fields) + "}"


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: generate.py COUNT SEED")
    count, seed = int(sys.argv[1]), int(sys.argv[2])
    rng = random.Random(seed)
    out = sys.stdout
    for _ in range(count):
        out.write(message(rng) + "\n")


if __name__ == "__main__":
    main()
