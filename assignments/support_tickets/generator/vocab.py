"""Names, products and other fillers for the fictional company *Tillpoint*.

Tillpoint sells a point-of-sale app, a web dashboard, payments and card-reader hardware to small
businesses. The ``shifted`` regime is the same company about half a year later: new hardware and
features have launched, so tickets mention products the training data has never seen.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from .template import Context, SlotTable

__all__ = ["FIRST_NAMES", "LAST_NAMES", "slot_table"]

FIRST_NAMES = [
    "Maria",
    "James",
    "Aisha",
    "Tom",
    "Priya",
    "Luis",
    "Hannah",
    "Kenji",
    "Fatima",
    "Oliver",
    "Chen",
    "Sophie",
    "Mohammed",
    "Emma",
    "Raj",
    "Lucia",
    "Daniel",
    "Olga",
    "Kwame",
    "Sarah",
    "Ahmed",
    "Julia",
    "Pedro",
    "Mei",
    "David",
    "Anna",
    "Tunde",
    "Claire",
    "Ivan",
    "Grace",
    "Marco",
    "Nadia",
    "Ben",
    "Yuki",
    "Carlos",
    "Zeynep",
    "Patrick",
    "Leila",
    "Sam",
    "Ingrid",
    "Arjun",
    "Chloe",
    "Tomasz",
    "Amara",
    "Jake",
    "Rosa",
    "Viktor",
    "Nina",
    "Omar",
    "Lena",
]
LAST_NAMES = [
    "Garcia",
    "Smith",
    "Khan",
    "Nguyen",
    "Patel",
    "Müller",
    "O'Brien",
    "Rossi",
    "Kowalski",
    "Okafor",
    "Johnson",
    "Silva",
    "Tanaka",
    "Ali",
    "Dubois",
    "Brown",
    "Hernández",
    "Larsen",
    "Cohen",
    "Wright",
    "Ivanova",
    "Mensah",
    "Fischer",
    "Lopez",
    "Wilson",
    "Yilmaz",
    "Sato",
    "Baker",
    "Novak",
    "Kim",
]
_BUSINESSES = [
    "coffee shop",
    "bakery",
    "barber shop",
    "food truck",
    "clothing boutique",
    "bike repair shop",
    "nail salon",
    "bookstore",
    "taproom",
    "flower shop",
    "pizza place",
    "gift shop",
    "yoga studio",
    "deli",
    "pet grooming salon",
    "hardware store",
    "ice cream parlour",
    "vintage store",
    "juice bar",
    "tattoo studio",
    "farm stand",
    "ramen bar",
    "dog daycare",
]
_SHOP_WORDS = [
    "Corner",
    "Blue Door",
    "Maple",
    "Sunrise",
    "Little",
    "Old Town",
    "Harbor",
    "Golden",
    "Green Leaf",
    "Brick Lane",
    "Copper",
    "Wildflower",
    "Northside",
    "Riverside",
    "Juniper",
]
_CITIES = [
    "Portland",
    "Leeds",
    "Austin",
    "Toronto",
    "Dublin",
    "Melbourne",
    "Denver",
    "Bristol",
    "Lisbon",
    "Chicago",
    "Auckland",
    "Manchester",
    "Vancouver",
    "Cork",
    "Halifax",
    "Brighton",
]
_TITLES = ["Owner", "Manager", "Co-owner", "Store Manager", "Operations", "Bookkeeper", "Founder"]

# Hardware and software names by regime. The shifted regime keeps some old names (people still
# own old readers) but mostly talks about the new line.
_HARDWARE = {
    "standard": [
        "Reader R2",
        "card reader",
        "Terminal T1",
        "PrintDock printer",
        "R2 reader",
        "Stand S1",
        "cash drawer",
        "barcode scanner",
        "receipt printer",
    ],
    "shifted": [
        "Reader R3",
        "Tillpoint Flex",
        "Flex handheld",
        "R3 reader",
        "Kitchen Display",
        "Stand S2",
        "Terminal T1",
        "card reader",
        "receipt printer",
    ],
}
_APPS = {
    "standard": [
        "the POS app",
        "the Tillpoint app",
        "the dashboard",
        "the iPad app",
        "the Android app",
        "the web dashboard",
        "Tillpoint POS",
    ],
    "shifted": [
        "Tillpoint Go",
        "the Go app",
        "the new app",
        "Tillpoint Hub",
        "the Hub",
        "the POS app",
        "Tap to Pay",
    ],
}
_FEATURES = {
    "standard": [
        "inventory sync",
        "tip settings",
        "the sales report",
        "discount codes",
        "the customer directory",
        "gift cards",
        "timesheets",
        "table layouts",
        "item modifiers",
        "tax settings",
        "the CSV export",
        "barcode scanning",
        "offline mode",
        "split payments",
        "invoice templates",
        "the QuickBooks sync",
        "the Xero integration",
        "the Shopify integration",
        "webhooks",
        "bar tabs",
        "the end of day report",
        "stock alerts",
        "online ordering",
        "employee roles",
    ],
    "shifted": [
        "Loyalty points",
        "Tap to Pay",
        "the Kitchen Display",
        "Smart Reports",
        "the new Hub reports",
        "Capital loans",
        "instant payouts",
        "QR ordering",
        "the loyalty rewards",
        "tipping v2",
        "inventory sync",
        "gift cards",
        "the Go menu editor",
        "multi-location stock",
        "the Xero integration",
    ],
}
_DEVICES = [
    "iPhone 13",
    "iPhone 15",
    "iPad Air",
    "iPad 9th gen",
    "Samsung Galaxy Tab A8",
    "Pixel 7",
    "Samsung S22",
    "Windows laptop",
    "MacBook",
    "Lenovo tablet",
    "iPad mini",
    "Chromebook",
    "old iPad",
    "Moto G",
]
_BROWSERS = ["Chrome", "Safari", "Firefox", "Edge"]
_ERRORS = [
    "Error 502",
    "ERR_SYNC_409",
    "Something went wrong (code 1003)",
    "error 4012",
    '"Unexpected error, please try again"',
    "code E-221",
    "Network error 0x12",
    "HTTP 500",
    "timeout error",
    "Error: session_invalid",
    "error 3008",
    '"Could not complete request"',
    "E17",
    "PAYMENT_DECLINED do_not_honor",
]
_CARRIERS = [
    "UPS",
    "FedEx",
    "DHL",
    "Royal Mail",
    "USPS",
    "Canada Post",
    "An Post",
    "Australia Post",
]
_PLANS = ["Starter", "Growth", "Plus", "Enterprise", "Pro"]
_INTEGRATIONS = [
    "QuickBooks",
    "Xero",
    "Shopify",
    "WooCommerce",
    "Mailchimp",
    "Deliveroo",
    "Uber Eats",
    "Google Sheets",
    "Zapier",
    "Sage",
    "HubSpot",
]
_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
_WHEN = [
    "yesterday",
    "this morning",
    "last night",
    "after the update",
    "two days ago",
    "on Friday",
    "last week",
    "today",
    "over the weekend",
    "an hour ago",
    "on Monday",
    "a few days ago",
]
_SINCE = [
    "yesterday",
    "last week",
    "Monday",
    "the update",
    "this morning",
    "Friday",
    "the weekend",
    "last night",
    "the last update",
]
_READERS = {
    "standard": ["Reader R2", "card reader", "R2 reader", "Terminal T1", "reader", "R2"],
    "shifted": ["Reader R3", "Tillpoint Flex", "R3 reader", "Flex handheld", "card reader", "R3"],
}
_CURRENCY = ["$", "$", "$", "£", "€", "CA$", "A$"]

_Draw = Callable[[random.Random, Context], str]


def _pick(options: list[str]) -> _Draw:
    def draw(rng: random.Random, ctx: Context) -> str:
        return rng.choice(options)

    return draw


def _by_regime(options: dict[str, list[str]]) -> _Draw:
    def draw(rng: random.Random, ctx: Context) -> str:
        return rng.choice(options[ctx.regime])

    return draw


def _amount(rng: random.Random, ctx: Context) -> str:
    cur = rng.choice(_CURRENCY)
    value = rng.choice([19, 29, 39, 49, 59, 69, 79, 89, 99, 129, 149, 199, 249, 299, 349, 499])
    if rng.random() < 0.35:
        value = rng.randrange(12, 2400)
        cents = rng.randrange(100)
        return f"{cur}{value:,}.{cents:02d}"
    return f"{cur}{value}" if rng.random() < 0.5 else f"{cur}{value}.00"


def _order(rng: random.Random, ctx: Context) -> str:
    n = rng.randrange(10_000, 999_999)
    return rng.choice([f"#TP-{n}", f"#{n}", f"TP{n}", f"TP-{n}"])


def _invoice(rng: random.Random, ctx: Context) -> str:
    return rng.choice(["INV-", "inv ", "#", "INV"]) + str(rng.randrange(100_000, 9_999_999))


def _date(rng: random.Random, ctx: Context) -> str:
    month = rng.randrange(12)
    day = rng.randrange(1, 29)
    return rng.choice(
        [
            f"{_MONTHS[month]} {day}",
            f"{day} {_MONTHS[month]}",
            f"{month + 1}/{day}",
            f"{day}.{month + 1}.",
            f"the {day}th",
            f"{_MONTHS[month][:3]} {day}",
        ]
    )


def _email(rng: random.Random, ctx: Context) -> str:
    first = ctx.values.get("name") or rng.choice(FIRST_NAMES)
    user = first.lower().replace("'", "")
    domain = rng.choice(["gmail.com", "outlook.com", "yahoo.com", "icloud.com", "hotmail.co.uk"])
    if rng.random() < 0.4:
        user += str(rng.randrange(1, 99))
    elif rng.random() < 0.5:
        shop = ctx.values.get("shop") or rng.choice(_SHOP_WORDS)
        domain = shop.lower().replace(" ", "") + rng.choice([".com", ".co.uk", ".ca", ".ie"])
    return f"{user}@{domain}"


def _shop(rng: random.Random, ctx: Context) -> str:
    word = rng.choice(_SHOP_WORDS)
    kind = ctx.values.get("business") or rng.choice(_BUSINESSES)
    suffix = kind.split()[-1].title()
    return rng.choice(
        [f"{word} {suffix}", f"{word} {suffix}", f"The {word} {suffix}", f"{word} & Co"]
    )


def _number(lo: int, hi: int) -> _Draw:
    def draw(rng: random.Random, ctx: Context) -> str:
        return str(rng.randrange(lo, hi + 1))

    return draw


def _version(rng: random.Random, ctx: Context) -> str:
    major = 4 if ctx.regime == "standard" else 5
    return f"{major}.{rng.randrange(1, 19)}.{rng.randrange(0, 6)}"


def _time(rng: random.Random, ctx: Context) -> str:
    hour = rng.randrange(7, 22)
    minute = rng.choice([0, 5, 10, 15, 20, 30, 40, 45, 50])
    if rng.random() < 0.5:
        return f"{hour:02d}:{minute:02d}"
    suffix = "am" if hour < 12 else "pm"
    return f"{(hour - 1) % 12 + 1}:{minute:02d}{suffix}"


def slot_table() -> SlotTable:
    """All slots the topic templates may use."""
    return {
        "name": _pick(FIRST_NAMES),
        "last": _pick(LAST_NAMES),
        "agent": _pick(["Jess", "Marcus", "Ana", "Theo", "Bea", "Sunil", "Rachel", "Diego", "Kim"]),
        "business": _pick(_BUSINESSES),
        "shop": _shop,
        "city": _pick(_CITIES),
        "title": _pick(_TITLES),
        "hardware": _by_regime(_HARDWARE),
        "app": _by_regime(_APPS),
        "feature": _by_regime(_FEATURES),
        "feature2": _by_regime(_FEATURES),
        "device": _pick(_DEVICES),
        "browser": _pick(_BROWSERS),
        "error": _pick(_ERRORS),
        "carrier": _pick(_CARRIERS),
        "plan": _pick(_PLANS),
        "plan2": _pick(_PLANS),
        "integration": _pick(_INTEGRATIONS),
        "amount": _amount,
        "amount2": _amount,
        "order": _order,
        "invoice": _invoice,
        "date": _date,
        "email": _email,
        "email2": _email,
        "day": _pick(_DAYS),
        "month": _pick(_MONTHS),
        "when": _pick(_WHEN),
        "since": _pick(_SINCE),
        "reader": _by_regime(_READERS),
        "n": _number(2, 9),
        "staff": _number(3, 40),
        "years": _number(2, 8),
        "ticket": _number(10_000, 99_999),
        "version": _version,
        "time": _time,
        "digits": _number(1000, 9999),
    }
