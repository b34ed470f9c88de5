"""What customers write about, per category: intents with subject lines and sentence templates.

Each category has several intents. An intent lists subject templates, ``core`` templates (the
sentence that states the problem; one is always used), ``details`` (extra sentences, some used),
``asks`` (what the customer wants), the product area a customer would most likely pick, and the
replies an agent would send on that topic (used when a ticket quotes an earlier reply).

The categories deliberately share vocabulary where real queues do: a customer asking *how* to refund
their own customer is ``how_to``, not ``refund``; a reader that will not pair is a ``bug_report``,
one that never arrived is ``shipping``; a double charge is ``billing`` until the customer asks for
the money back.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "AMBIGUOUS",
    "AREAS",
    "CATEGORIES",
    "GENERIC_ASKS",
    "PRIORS_SHIFTED",
    "PRIORS_STANDARD",
    "SHARED_DETAILS",
    "Intent",
]

AREAS = [
    "pos_app",
    "dashboard",
    "payments",
    "hardware",
    "invoicing",
    "inventory",
    "integrations",
    "account",
    "other",
]


@dataclass(frozen=True)
class Intent:
    """One reason to write to support."""

    name: str
    """Short identifier, kept in the generator's metadata only."""
    subjects: tuple[str, ...]
    """Subject-line templates."""
    core: tuple[str, ...]
    """Templates for the sentence that states the problem."""
    details: tuple[str, ...]
    """Extra sentences; zero to three are used."""
    asks: tuple[str, ...]
    """What the customer asks for; zero or one is used."""
    area: str
    """Product area a customer would most likely pick in the form."""
    replies: tuple[str, ...]
    """Agent replies on this topic, quoted when a customer answers an old thread."""
    weight: float = 1.0
    """Relative frequency within its category."""
    regime: str | None = None
    """Only tickets of this regime use the intent (new products exist only in the shifted
    period); ``None`` for both."""


# Class priors. Standard = training and held-out; shifted = a later period with a new hardware line.
PRIORS_STANDARD = {
    "bug_report": 0.25,
    "how_to": 0.18,
    "billing": 0.16,
    "account_access": 0.13,
    "feature_request": 0.09,
    "refund": 0.08,
    "shipping": 0.075,
    "security_privacy": 0.035,
}
PRIORS_SHIFTED = {
    "bug_report": 0.26,
    "how_to": 0.17,
    "billing": 0.14,
    "account_access": 0.13,
    "feature_request": 0.08,
    "refund": 0.08,
    "shipping": 0.10,
    "security_privacy": 0.04,
}

_BUG = (
    Intent(
        "app_crash",
        (
            "App crashing",
            "{app} keeps crashing",
            "crash when I [open|tap] {feature}",
            "App closes by itself",
            "Crash after update",
            "[URGENT|Urgent] - app crashing during service",
            "{app} freezes",
            "app keeps freezing on {device}",
        ),
        (
            "{app} keeps crashing [whenever|every time] I [open|try to use] {feature}.",
            "[Since|After] the [latest|last] update {app} [crashes|closes itself|just shuts down] [when|as soon as] I [open|go to] {feature}.",
            "The app freezes [on the checkout screen|when I take a payment|when I open a ticket|on the loading screen] and I have to force close it.",
            "[Every time|Whenever] a customer [pays|taps their card] the app [crashes|freezes|goes blank] and we lose the sale.",
            "{app} [has crashed|crashed] [about|like] {n} times [today|this morning|during lunch service].",
            "The app on our {device} [keeps crashing|won't stay open] since {since}.",
        ),
        (
            "We're on version {version}.",
            "It happens on our {device}.",
            "I already [tried|have tried] [restarting|reinstalling] the app [and the device|] [but|and] it [still happens|didn't help].",
            "It [started|began] {when}.",
            "Other devices seem fine.",
            "We had to take payments by hand.",
            "I can send a screen recording if [that helps|needed].",
            "It says {error} right before it closes.",
            "[This|It] [is costing us sales|is really hurting our business|happened in the middle of our busiest hour].",
        ),
        (
            "Can you [please|] [look into this|fix this] [asap|as soon as possible|urgently]?",
            "Is there a known [issue|problem] [with this version|right now]?",
            "Please advise.",
            "Is there a fix or a workaround?",
        ),
        "pos_app",
        (
            "Thanks for the report. Could you tell us which app version and device you're on? A screen recording would help our engineers reproduce the crash.",
            "Our engineers are aware of a crash affecting {feature} on version {version}; a fix is rolling out this week.",
        ),
        2.0,
    ),
    Intent(
        "sync_failure",
        (
            "Sync not working",
            "{feature} not syncing",
            "items not showing on {device}",
            "Data not syncing between devices",
            "Inventory out of sync",
            "sync broken again",
        ),
        (
            "{feature} [stopped working|is not working|isn't syncing] [between|across] our devices.",
            "Items I [add|change] in the dashboard [don't show up|never appear] on the {device}.",
            "[Our|The] stock counts [are wrong|don't match] [between the dashboard and the app|after sync] [since {since}|].",
            "Sales from the {device} [are missing|don't show] in the dashboard [for {date}|since {since}].",
            "The app [shows|says] {error} [when it tries to sync|every time it syncs].",
        ),
        (
            "We have {n} devices and only one is affected.",
            "I [logged out and back in|cleared the cache] but nothing changed.",
            "This started {when}.",
            "We're on version {version}.",
            "Our wifi is fine, everything else works.",
        ),
        (
            "Please fix this before the weekend.",
            "Can someone look at our account?",
            "How do we get the data back?",
            "Can you push a manual sync from your side?",
        ),
        "inventory",
        (
            "We've manually re-synced your catalog. Let us know if items still look different on the devices.",
            "Sync issues like this are usually fixed by signing out and back in on each device. Could you try that and let us know?",
        ),
        1.3,
    ),
    Intent(
        "reader_connection",
        (
            "Reader won't connect",
            "{reader} not pairing",
            "card reader disconnecting",
            "Bluetooth issue with {reader}",
            "{reader} keeps dropping connection",
            "Reader offline",
        ),
        (
            "Our {reader} [won't|will not|doesn't] [connect|pair] [to|with] the {device} [anymore|since {since}].",
            "The {reader} keeps [disconnecting|dropping the connection] [in the middle of|during] payments.",
            "Card payments fail [with|showing] {error} [on the {reader}|] [since {since}|].",
            'The {reader} [shows a red light|is stuck on the update screen|says "reader not found"] and we can\'t take cards.',
        ),
        (
            "It is [fully charged|plugged in].",
            "I [tried|have tried] [unpairing and pairing again|turning bluetooth off and on|a different device].",
            "We've had the reader for about {n} months.",
            "The light on the reader is [red|flashing orange|off].",
            "We had to [turn customers away|ask for cash only] [today|all morning].",
        ),
        (
            "Do we need a replacement?",
            "Please help, we can't take card payments.",
            "Is this a known problem?",
            "Can you [check|look at] it [today|urgently]?",
        ),
        "hardware",
        (
            "Please try a factory reset of the reader: hold the power button for 20 seconds, then pair it again from Settings > Hardware.",
            "If the reader still won't pair after a reset, we can send you a replacement under warranty.",
        ),
        1.3,
    ),
    Intent(
        "wrong_numbers",
        (
            "Sales report totals wrong",
            "Numbers don't add up",
            "report showing wrong amounts",
            "Tax calculated wrong on receipts",
            "Wrong totals in {feature}",
            "discrepancy in reports",
        ),
        (
            "The [sales report|end of day report|summary] for {date} shows {amount} but our [till|card payments|receipts] add up to {amount2}.",
            "[Tax|VAT|Sales tax] is [being calculated wrong|wrong|doubled] on [our receipts|some items] [since {since}|].",
            "{feature} [is showing|shows] [the wrong totals|duplicate transactions|negative quantities].",
            "Discounts are [not applied|applied twice] [at checkout|on the receipt] [even though|although] they are set up correctly.",
        ),
        (
            "I checked the settings {n} times.",
            "Our accountant noticed it first.",
            "It [only|seems to] happen[s|] [with card payments|for split payments|on the iPad].",
            "I exported the CSV and the numbers [are different there too|look right there].",
        ),
        (
            "Can you [check|fix] the numbers?",
            "Which number is correct?",
            "We need this fixed before our month end.",
        ),
        "dashboard",
        (
            "Thanks for flagging this. Reporting totals can lag by up to an hour; if the difference remains tomorrow, please send us two example receipts.",
        ),
    ),
    Intent(
        "ui_broken",
        (
            "Page not loading",
            "dashboard blank",
            "button not working",
            "Can't save changes",
            "{feature} page broken",
            "Dashboard stuck loading",
        ),
        (
            "The [dashboard|{feature} page|settings page] [just shows a blank page|keeps loading forever|won't load] in {browser}.",
            "The [save|update|export] button [doesn't do anything|is greyed out|gives {error}] when I [edit|change] {feature}.",
            "I [can't|cannot] save changes to {feature}; it says {error}.",
            "[When I|Every time I] [click|open] {feature} I get {error}.",
        ),
        (
            "I tried [another browser|incognito mode|clearing the cache].",
            "It worked fine last week.",
            "My colleague has the same problem on her laptop.",
            "Screenshot attached.",
        ),
        ("Can you take a look?", "Is the dashboard down?", "Please fix."),
        "dashboard",
        (
            "We couldn't reproduce this on our side. Could you send a screenshot and tell us your browser version?",
        ),
    ),
    Intent(
        "printer_problem",
        (
            "Printer printing gibberish",
            "receipts not printing",
            "{hardware} not printing",
            "kitchen tickets not printing",
            "printer issue",
        ),
        (
            "[The|Our] receipt printer [prints|is printing] [random symbols|gibberish|blank receipts] [since {since}|].",
            "Kitchen tickets [stopped printing|print twice|print late] [since the update|{when}].",
            "[Receipts|Orders] [don't|do not] print [anymore|at all] although the printer [says it is connected|is online].",
        ),
        (
            "Test print from the printer itself works fine.",
            "We use the [PrintDock|Star|Epson] printer.",
            "It's connected by [USB|wifi|ethernet].",
        ),
        ("What settings should I check?", "Please help, the kitchen is blind without the tickets."),
        "hardware",
        (
            "Please check that the printer's paper width in Settings > Printers matches your paper roll (58mm or 80mm).",
        ),
        0.8,
    ),
    Intent(
        "integration_broken",
        (
            "{integration} sync stopped",
            "{integration} integration broken",
            "webhooks failing",
            "API returning errors",
            "Integration error",
        ),
        (
            "Our {integration} [sync|integration] [stopped working|has not synced] {when}.",
            "Webhooks [to our server|] [are failing|keep failing] with {error}.",
            "The API [returns|is returning] {error} [for|on] [every request|the orders endpoint] [since {since}|].",
            "Sales [are not showing up|stopped appearing] in {integration} [since {date}|{when}].",
        ),
        (
            "Nothing changed on our side.",
            "We reconnected the integration but it fails again.",
            "Our developer says the payload looks different now.",
        ),
        ("Did something change on your end?", "Please investigate."),
        "integrations",
        (
            "There was a brief incident with our {integration} connector on {date}. It's resolved now; you may need to reconnect the integration.",
        ),
        0.9,
    ),
    Intent(
        "export_broken",
        ("Export not working", "CSV export empty", "Can't download report", "export error"),
        (
            "When I export {feature} [to CSV|to Excel] the file is [empty|missing half the rows|corrupted].",
            "[Downloading|Exporting] the [sales|customer|inventory] report [gives|throws] {error}.",
            "The export [button|link] [doesn't work|never finishes|just spins].",
        ),
        (
            "It used to work fine.",
            "I tried a smaller date range too.",
            "We need it for our accountant.",
        ),
        ("Can you fix this or send me the file?",),
        "dashboard",
        ("Large exports are emailed to you when they are ready; please check your spam folder.",),
        0.7,
    ),
    Intent(
        "login_crash",
        (
            "app freezes at login",
            "can't get past loading screen",
            "stuck on login screen after update",
        ),
        (
            "After [updating to|installing] {version} the app [freezes|hangs|crashes] on the [login|sign in] screen.",
            "The app [gets stuck|spins forever] after I [enter my passcode|sign in], [my password is correct|it's not a password problem].",
        ),
        ("It's the same on both our devices.", "I reinstalled it twice."),
        ("Is there a fix coming?",),
        "pos_app",
        (
            "Version {version} had a bug on some devices at sign in; please update to the newest version from the app store.",
        ),
        0.6,
    ),
)

_HOWTO = (
    Intent(
        "setup_feature",
        (
            "How do I set up {feature}?",
            "Question about {feature}",
            "{feature} setup",
            "Help setting up {feature}",
            "How to use {feature}",
            "Quick question",
            "new to Tillpoint - {feature}",
        ),
        (
            "How do I set up {feature}?",
            "[Can you tell me|Could you explain] how to [set up|configure|turn on] {feature}?",
            "I'm [trying|struggling] to [set up|figure out] {feature} [and can't find where|but I'm lost|and the help article didn't help].",
            "Where do I [find|change] the settings for {feature}?",
            "[What's the best way|Is there a way] to [use|configure] {feature} for a {business}?",
            "We just started using Tillpoint and I [don't understand|am confused about] how {feature} works.",
        ),
        (
            "We run a {business} with {staff} staff.",
            "I looked in the settings but couldn't find it.",
            "[I read|I've read] the help center article [but it shows an older screen|but it's not clear].",
            "We want to have it ready before [we open|the weekend|our busy season].",
            "It's on the {device}.",
        ),
        (
            "Is there a guide [or video|] for this?",
            "Could you walk me through it?",
            "Thanks for any tips!",
            "Step by step instructions would be great.",
        ),
        "pos_app",
        (
            "Thanks for asking! You can find this under Settings > {feature}. Here's our step by step guide: help.tillpoint.com/articles/{digits}.",
        ),
        2.0,
    ),
    Intent(
        "refund_customer",
        (
            "How to refund a customer",
            "refunding a sale",
            "How do I do a refund?",
            "Partial refund to customer",
            "return process question",
        ),
        (
            "How do I [refund|give a refund to|issue a refund for] a customer [who paid by card|for one item|]?",
            "A customer [returned|brought back] [an item|their order] [today|] and I [don't know|can't figure out] how to refund [it|them] in the app.",
            "Can I do a partial refund [on|for] a [card payment|sale from {date}]?",
            "[Where is|I can't find] the refund button [in {app}|on the receipt screen]?",
        ),
        (
            "The sale was {amount}.",
            "The customer is waiting.",
            "It was paid [by card|with Apple Pay|in cash].",
        ),
        (
            "How long does it take for the customer to get the money back?",
            "Please explain the steps.",
        ),
        "payments",
        (
            "To refund a sale, open Transactions, select the sale and tap Refund. You can choose a partial amount.",
        ),
        1.2,
    ),
    Intent(
        "export_data",
        (
            "How to export data",
            "export sales to Excel",
            "Where is the export?",
            "getting my data out",
            "Download transactions",
        ),
        (
            "How [can I|do I] export [my sales|all transactions|our customer list|our inventory] [to Excel|as a CSV|for my accountant]?",
            "Is there a way to download [all|] [sales|payouts|transactions] for [last year|{month}|the tax year]?",
            "[Where|How] do I get a [report|summary] of {feature} for [my accountant|our tax return]?",
        ),
        ("Our accountant needs it by {date}.", "I only see the last 30 days."),
        ("Thanks!", "Can you point me to the right page?"),
        "dashboard",
        ("You can export from Reports > Sales > Export. Choose CSV and the date range you need.",),
        1.0,
    ),
    Intent(
        "staff_permissions",
        (
            "Adding staff",
            "employee permissions",
            "How to add an employee",
            "staff roles question",
            "new employee setup",
        ),
        (
            "How do I [add|set up] a new [employee|staff member|cashier] [and give them|with] their own [passcode|login]?",
            "Can I [stop|restrict] [staff|cashiers] from [giving discounts|doing refunds|seeing reports]?",
            "How do I [change|set] what [my manager|a staff member] can see in the dashboard?",
            "[Where|How] do I [set up|change] employee roles and permissions?",
        ),
        ("We have {staff} employees.", "Some are part time.", "I want to track their hours too."),
        ("What's the best way to do this?",),
        "account",
        (
            "You can add staff under Team > Employees and pick a role for each one. Roles control what they can do.",
        ),
        1.1,
    ),
    Intent(
        "hardware_setup",
        (
            "How to connect printer",
            "setting up the new {hardware}",
            "pair reader question",
            "New {hardware} setup",
        ),
        (
            "[I just got|We received] the {hardware}. How do I [connect|pair|set] it [up|] with the {device}?",
            "What's the [right way|process] to [pair|connect] a second {hardware} [to the same account|for our other till]?",
            "Does the {hardware} work with a {device}, and how do I set it up?",
        ),
        ("The quick start guide in the box is very short.", "We have {n} tills."),
        ("Is there a video?", "Thanks in advance."),
        "hardware",
        (
            "Open Settings > Hardware > Add device and keep the reader close to the tablet while pairing.",
        ),
        1.0,
    ),
    Intent(
        "is_it_possible",
        (
            "Is it possible to...",
            "Can Tillpoint do this?",
            "question about {feature}",
            "Does {app} support this?",
            "Possible to change {feature}?",
        ),
        (
            "Is it possible to [show|print] [our logo|a custom message|the server name] on [receipts|invoices]?",
            "Can {app} [handle|do] {feature} for [multiple locations|two shops|takeaway and dine-in]?",
            "Is there a way to [schedule|automate] {feature}?",
            "Does Tillpoint [work|integrate] with {integration}? How do I connect it?",
        ),
        ("We're moving from another POS.", "I couldn't find anything in the help center."),
        ("If yes, how?", "Let me know how to do it."),
        "pos_app",
        (
            "Yes! You can do this under Settings > Receipts. Upload a logo and add a custom footer message.",
        ),
        1.2,
    ),
    Intent(
        "payout_schedule",
        ("When do I get paid?", "payout timing question", "How do payouts work"),
        (
            "How long does it take for card payments to [arrive in|reach] my bank account?",
            "[How do I|Can I] change [my payout schedule|when payouts happen|the bank account payouts go to]?",
            "What time of day do payouts [arrive|go out] [on weekends|]?",
        ),
        ("We just opened last week.",),
        ("Thanks.",),
        "payments",
        (
            "Payouts are sent the next business day. You can change your schedule under Settings > Payouts.",
        ),
        0.6,
    ),
)

_BILLING = (
    Intent(
        "unexpected_charge",
        (
            "Unexpected charge",
            "Why was I charged {amount}?",
            "Charged twice?",
            "double charge",
            "Question about my bill",
            "Charge on my card",
            "billing question",
        ),
        (
            "I [was charged|see a charge of|got charged] {amount} on {date} and I don't [know|understand] what it's for.",
            "[It looks like|I think] [we were|I was] charged twice [this month|for {month}|for the same subscription].",
            "Our [bill|invoice|subscription] went up from {amount2} to {amount} [without any notice|this month] [, why|].",
            "There's a {amount} charge [from Tillpoint|labelled TILLPOINT*SUBS] on my [card|bank statement] that I [don't recognise|can't explain].",
        ),
        (
            "We're on the {plan} plan.",
            "Invoice number {invoice}.",
            "I didn't add any new devices or users.",
            "My [bookkeeper|accountant] flagged it.",
            "[Last|Previous] month it was {amount2}.",
        ),
        (
            "Can you explain [what this is|the charge]?",
            "Please send me a breakdown.",
            "Can you check [my account|what happened]?",
        ),
        "account",
        (
            "I've checked your account: the {amount} charge is your {plan} plan renewal plus one additional device licence.",
            "The second charge on {date} was a pre-authorisation and should disappear from your statement within 5 days.",
        ),
        2.0,
    ),
    Intent(
        "invoice_request",
        (
            "Invoice needed",
            "Need VAT invoice",
            "Receipt for subscription",
            "invoice with company details",
            "Invoices for {month}",
            "Missing invoice",
        ),
        (
            "[Could you|Can you|Please] send me [an invoice|the invoices|a VAT invoice] for [{month}|the last {n} months|our subscription]?",
            "I need our [company name|VAT number|tax ID|billing address] [added to|changed on] our invoices.",
            "Where can I [download|find] [my|our] invoices [in the dashboard|for the subscription]?",
            "The invoice {invoice} has the wrong [address|company name|VAT number] on it.",
        ),
        (
            "It's for our accountant.",
            "Our VAT number is GB{digits}{digits}.",
            "We need it for the tax return by {date}.",
        ),
        ("Thank you.", "PDF please."),
        "invoicing",
        (
            "You can download all invoices under Settings > Billing > Invoices. Company details can be changed there too.",
        ),
        1.4,
    ),
    Intent(
        "payment_method",
        (
            "Update card",
            "Payment failed",
            "Card expired",
            "Change billing details",
            "subscription payment declined",
            "Update payment method",
        ),
        (
            "I need to [update|change] the card we pay [the subscription|Tillpoint] with[, the old one expired|].",
            "[Got|I got|We got] an email that our subscription payment [failed|was declined] but the card is fine.",
            "How do I change [the billing email|who receives the bills|the payment method] [on our account|]?",
            "[Our|The] [subscription|bill] [payment|] [didn't go through|bounced] [and now|and] [we see a warning|the account says past due].",
        ),
        ("The new card ends in {digits}.", "We changed banks last month."),
        ("Please don't suspend our account.", "Can you retry the payment?"),
        "account",
        (
            "You can update the card under Settings > Billing > Payment method. We'll retry the payment automatically.",
        ),
        1.2,
    ),
    Intent(
        "plan_change",
        (
            "Change plan",
            "Upgrade to {plan}",
            "downgrade question",
            "switching plans",
            "Cancel subscription",
            "plan pricing",
        ),
        (
            "[I'd like|We want|Want] to [upgrade|downgrade|switch] [from {plan2}|] to the {plan} plan.",
            "If I [downgrade|switch plans] [mid-month|now], [will I be charged|how is the bill calculated|do I pay the difference]?",
            "[I want to|Please] cancel our subscription [at the end of the month|from next month|after this billing period].",
            "What's the difference in price between {plan2} and {plan} [for {n} locations|]?",
        ),
        (
            "We're a small {business}.",
            "We only use {n} devices now.",
            "Money is tight this season.",
        ),
        ("What will our next bill be?", "Please confirm by email."),
        "account",
        (
            "I've switched your account to the {plan} plan. The difference is prorated on your next invoice.",
        ),
        1.3,
    ),
    Intent(
        "processing_fees",
        (
            "Processing fees question",
            "Fees higher than expected",
            "card fee rate",
            "Why so many fees?",
        ),
        (
            "Why [was|is] the [processing|card] fee [on {date}|on some payments] higher than [{amount2}|the rate we signed up for]?",
            "[The fees|Our fees] this month [were|are] {amount}, [that seems too high|that's much more than usual].",
            "What rate do we pay for [Amex|international cards|online payments|manually keyed cards]?",
        ),
        ("Most of our customers pay by card.", "We signed up on the {plan} plan."),
        ("Can you explain the fee breakdown?",),
        "payments",
        (
            "International and keyed-in cards have a higher rate; you'll find the breakdown per payment in Reports > Fees.",
        ),
        0.9,
    ),
    Intent(
        "payout_missing",
        (
            "Payout missing",
            "Where is my payout?",
            "Payout not received",
            "deposit not arrived",
            "money not in bank",
        ),
        (
            "[Our|My] payout for [{date}|{day}|last week] [hasn't arrived|is missing|never arrived] [in our bank account|yet].",
            "The payout of {amount} [shows as sent|says paid] but [it's not in our bank|our bank has nothing].",
            "[We|I] [only|] received {amount2} but the dashboard says {amount}.",
        ),
        (
            "Our bank details haven't changed.",
            "It's normally there by the morning.",
            "We need it for payroll.",
        ),
        ("Please check where it is.", "When will it arrive?"),
        "payments",
        (
            "Your payout of {amount} was sent on {date}. Banks can take up to 2 business days; if it's not there by then, send us a bank statement.",
        ),
        1.0,
    ),
)

_ACCESS = (
    Intent(
        "password_reset",
        (
            "Can't log in",
            "Password reset not working",
            "Locked out",
            "Login problem",
            "reset email not arriving",
            "cannot access my account",
            "login",
        ),
        (
            "I [can't|cannot|am unable to] log in [to my account|to the dashboard|] [since {since}|anymore].",
            "The password reset email [never arrives|isn't coming through|doesn't arrive], I checked spam [too|].",
            "[I forgot|Forgot] my password and the reset link [says it expired|doesn't work|gives {error}].",
            "It keeps saying [incorrect password|invalid email or password] but I know it's right.",
        ),
        (
            "My login email is {email}.",
            "I tried {n} times.",
            "I'm the account owner.",
            "It worked fine [last week|yesterday].",
        ),
        (
            "Please reset it for me.",
            "Can you send a new link?",
            "I need access [today|before we open].",
        ),
        "account",
        ("I've sent a new reset link to the email on the account. It's valid for 30 minutes.",),
        2.0,
    ),
    Intent(
        "two_factor",
        (
            "2FA problem",
            "lost phone can't log in",
            "verification code not working",
            "two-factor authentication",
            "Not getting SMS code",
        ),
        (
            "I [lost|changed|broke] my phone and can't get the [verification|2FA|login] code [anymore|].",
            'The [SMS|text] code [never arrives|arrives too late|says "invalid code"] when I try to log in.',
            "[How do I|Please] [turn off|reset] two-factor [authentication|] [on my account|], I [no longer have|don't have] the old number.",
        ),
        (
            "My new number is +44 7{digits} {digits}.",
            "I'm travelling right now.",
            "I don't have the backup codes.",
        ),
        ("Can you [disable|reset] it?", "What do you need from me to verify?"),
        "account",
        (
            "For security we need to verify your identity before resetting two-factor authentication. Please reply with the last 4 digits of the card on file.",
        ),
        1.2,
    ),
    Intent(
        "account_locked",
        (
            "Account locked",
            "Account suspended?",
            "Locked after too many attempts",
            "access blocked",
        ),
        (
            "[My|Our] account [got|has been|is] locked after [too many|a few] [login attempts|wrong passwords].",
            "[When I log in it says|It says] my account is [suspended|disabled|locked] and to contact support.",
            "[Our manager|One of our staff] [locked|got locked] out [of the dashboard|] and [now|] nobody can [log in|get in].",
        ),
        ("I'm the owner, {name} {last}.", "We have to open in [an hour|30 minutes]."),
        ("Please unlock it.", "Why was it locked?"),
        "account",
        (
            "The account was locked after 5 failed sign-ins. I've unlocked it; please reset your password before signing in.",
        ),
        1.0,
    ),
    Intent(
        "change_login_email",
        (
            "Change login email",
            "Transfer account ownership",
            "update email on account",
            "new owner access",
        ),
        (
            "I need to change the [login|account] email from {email2} to {email}.",
            "[We sold the business|The previous owner left] and [I need|we need] the account [transferred|moved] to [me|the new owner].",
            "[My old email|The email on the account] [no longer exists|was shut down], how do I [get into|access] the account?",
        ),
        ("I can prove I own the business.", "The old address is an employee's who left."),
        ("What do you need from me?",),
        "account",
        (
            "To change the account owner we need a signed request from the current owner or proof of business ownership.",
        ),
        0.9,
    ),
    Intent(
        "staff_login",
        (
            "Staff can't log in",
            "employee passcode not working",
            "Staff login issue",
            "cashier can't sign in",
        ),
        (
            "[One of my|My] [employees|staff|cashiers] can't log in [to the POS|with their passcode] [since {since}|].",
            "[Staff|Employee] passcodes [stopped working|are rejected] on the {device}.",
            "[A new|Our new] staff member never got the invite email [to log in|to join the account].",
        ),
        ("Their email is {email}.", "I re-sent the invite twice."),
        ("Can you check?",),
        "account",
        (
            "Invites expire after 72 hours. I've re-sent it; ask your staff member to check their spam folder.",
        ),
        0.9,
    ),
    Intent(
        "sso",
        ("SSO login failing", "Google sign in not working", "Sign in with Apple issue"),
        (
            "[Sign in with Google|Sign in with Apple|SSO] [stopped working|isn't working] [for my account|for our team] [since {since}|].",
            'When I sign in with Google it [creates a new empty account|says "No account found"].',
        ),
        ("I always used Google to sign in.",),
        ("How do I get back into my real account?",),
        "account",
        (
            "It looks like your account was created with a password, not Google sign in. Please use the reset link we sent.",
        ),
        0.5,
    ),
)

_FEATURE = (
    Intent(
        "add_feature",
        (
            "Feature request",
            "Suggestion: {feature}",
            "Idea for the app",
            "Would love this feature",
            "Feedback",
            "Request: {feature}",
            "Missing feature",
        ),
        (
            "It would be [great|really helpful|amazing] if {app} [could|supported] {feature} [for multiple locations|per staff member|by category|].",
            "[Please|Could you] add [an option|a setting|a way] to [export {feature} automatically|schedule reports|split tips by hours worked|set different prices by time of day].",
            "[We'd love|Please consider adding] [dark mode|a Spanish version|more receipt templates|a kitchen timer|bulk editing for items|customer birthdays].",
            "Any plans to [support|add] [{integration}|Apple Watch|multiple currencies|table reservations]?",
            "Feature suggestion: [let us|allow us to] [edit|reorder|colour] [the item grid|categories|modifiers] [on the {device}|].",
        ),
        (
            "Right now we have to do it by hand.",
            "Our old POS had this.",
            "I'm sure other {business}s would use it too.",
            "It would save us [hours|a lot of time] every week.",
            "Otherwise we love the product!",
        ),
        ("Is this on the roadmap?", "Thanks for considering it.", "Happy to test a beta."),
        "pos_app",
        (
            "Thanks for the suggestion! I've passed it to our product team; we can't promise a date but we read every request.",
        ),
        2.0,
    ),
    Intent(
        "missing_in_export",
        ("Reports request", "More report options please", "Export improvements"),
        (
            "The [sales report|export] [doesn't include|is missing] [the staff name|tips|the payment method|cost prices]; please add it.",
            "[We need|Please add] a report [by hour|by staff member|by category and day] [in the dashboard|].",
        ),
        ("We export and rebuild it in Excel every week.",),
        ("Thanks!",),
        "dashboard",
        ("Great idea - I've added your vote to this request.",),
        0.8,
    ),
    Intent(
        "integration_request",
        (
            "Integration with {integration}?",
            "Please integrate with {integration}",
            "API feature request",
        ),
        (
            "[Please|Could you] [build|add] an integration with {integration}.",
            "[The API|Your API] [doesn't let us|has no way to] [update stock|read tips|create discounts]; please add [an endpoint|it].",
            "We'd [switch to|stay on] the {plan} plan if you [integrated|worked] with {integration}.",
        ),
        ("Our bookkeeper uses it.", "We currently copy everything by hand."),
        ("Any timeline?",),
        "integrations",
        ("We don't integrate with {integration} yet, but I've shared your request with the team.",),
        0.8,
    ),
    Intent(
        "complaint_change",
        ("Bring back the old layout", "New update is worse", "Please change it back"),
        (
            "The new [layout|checkout screen|menu] [is harder to use|takes more taps]; [please|can you] [bring back the old one|add an option for the old view].",
            "[Please make|Can you make] the [buttons|text|item tiles] bigger, it's hard to use [during service|on the {device}].",
        ),
        ("My staff keep making mistakes with it.",),
        ("Please consider it.",),
        "pos_app",
        ("Thanks for the feedback on the new layout; our designers are looking at the comments.",),
        0.7,
    ),
)

_REFUND = (
    Intent(
        "refund_subscription",
        (
            "Refund request",
            "Refund please",
            "Want my money back",
            "Refund for subscription",
            "Charged after cancelling",
            "refund",
        ),
        (
            "I cancelled [on {date}|last month] but [was still charged|got charged] {amount}; [please refund it|I want a refund|refund please].",
            "[Please|Can you] refund the {amount} [subscription|] charge from {date}, we [don't use|stopped using] Tillpoint [anymore|].",
            "We [were|got] charged twice [for {month}|this month]; please refund the [extra|duplicate] charge [of {amount}|].",
            "I [accidentally|mistakenly] upgraded to {plan} and [would like|want] a refund of the difference.",
            "[We'd like|I would like] a refund for the [unused months|rest] of our annual plan.",
        ),
        (
            "We closed the shop in {month}.",
            "I have the cancellation email.",
            "Invoice {invoice}.",
            "I've been a customer for {years} years.",
        ),
        (
            "Please refund [it|the money] to the same card.",
            "How long will the refund take?",
            "Otherwise I'll [dispute it with my bank|file a chargeback].",
        ),
        "account",
        (
            "I've refunded {amount} to your card; it can take 5-10 business days to show up.",
            "Our terms don't allow refunds for partial months, but as a one-off I've issued a credit.",
        ),
        2.0,
    ),
    Intent(
        "return_hardware",
        (
            "Return reader for refund",
            "Return and refund {hardware}",
            "Want to return hardware",
            "Return request",
        ),
        (
            "I [want|would like] to return the {hardware} [and get a refund|for a refund|, it's not what we need].",
            "[The|Our] {hardware} [arrived broken|doesn't work for us]; I want [my money back|a refund], not a replacement.",
            "We [ordered|bought] {n} {hardware}s by mistake, [can we send one back|please refund one].",
        ),
        ("It's still in the box.", "We bought it {when}.", "The order was {order}."),
        ("How do I send it back?", "Please send a return label."),
        "hardware",
        (
            "You're within the 30-day return window. I've emailed a prepaid return label; the refund is issued once we receive the reader.",
        ),
        1.1,
    ),
    Intent(
        "fee_refund",
        ("Refund fees", "Refund of fees after outage", "compensation for downtime"),
        (
            "[Because of|After] the outage [on {date}|{when}] we lost sales; [we expect|I want] [a refund|our fees back|a credit] for [that day|this month].",
            "[Please|Can you] refund the processing fees [for the failed payments|on the duplicated transactions].",
        ),
        ("We lost about {amount} in sales.",),
        ("Please confirm the refund.",),
        "payments",
        ("I've applied a credit of {amount} to your account for the disruption.",),
        0.7,
    ),
)

_SHIPPING = (
    Intent(
        "not_arrived",
        (
            "Order not arrived",
            "Where is my order?",
            "Delivery status {order}",
            "still waiting for my reader",
            "{hardware} not delivered",
            "Shipping update?",
            "Tracking not updating",
        ),
        (
            "[We|I] ordered [a|the] {hardware} [on {date}|{when}|two weeks ago] and it [still hasn't arrived|hasn't come yet|is nowhere to be seen].",
            'The tracking [for {order}|number] [hasn\'t updated|is stuck at "label created"|says delivered] [since {date}|for days] [but we have nothing|].',
            "[When|When exactly] will [my|our] {hardware} [arrive|be delivered|ship]? [Order|It's order] {order}.",
            "{carrier} says the parcel was [delivered|left at the door] but [we never got it|nobody here received it].",
        ),
        (
            "We open our new location on {date} and need it.",
            "The order number is {order}.",
            "I paid for express shipping.",
            "Our address is {n}{n} {city} Road, {city}.",
        ),
        (
            "Can you check with {carrier}?",
            "Please send a new one if it's lost.",
            "Can you give me a tracking number?",
        ),
        "hardware",
        (
            "Your order {order} shipped with {carrier} on {date}; here's the tracking link. Deliveries usually take 3-5 business days.",
        ),
        2.0,
    ),
    Intent(
        "wrong_or_damaged",
        (
            "Wrong item received",
            "Damaged in shipping",
            "Box arrived damaged",
            "Missing item in order",
            "Received wrong reader",
        ),
        (
            "We received [the wrong|a different] [reader|{hardware}|model] [in our order|than we ordered] [{order}|].",
            "The {hardware} arrived [damaged|with a cracked screen|without the charging cable]; please send a replacement.",
            "[Our order|The box] was missing the [stand|cable|second reader|paper rolls].",
        ),
        ("Photos attached.", "The box was crushed.", "We haven't opened the second one."),
        ("Please send the right one [asap|this week].", "Do I need to send it back first?"),
        "hardware",
        (
            "Sorry about that! I've arranged a replacement to ship today at no cost; you'll get a return label for the damaged one.",
        ),
        1.1,
    ),
    Intent(
        "change_address",
        ("Change delivery address", "update shipping address", "Wrong address on order"),
        (
            "[Can you|Please] change the delivery address for {order} [to our new shop|, we moved]?",
            "I [entered|put] the wrong [address|postcode|zip code] on [my order|the order] [{order}|this morning].",
        ),
        ("The new address is {n} {city} Street.",),
        ("Has it shipped yet?",),
        "hardware",
        ("The order hadn't shipped yet, so I've updated the address.",),
        0.8,
    ),
    Intent(
        "customs",
        ("Customs fees", "Import charges on delivery", "Duties for reader"),
        (
            "{carrier} [is asking|asked] us to pay [{amount}|] [customs|import duties|extra fees] [before they deliver|on delivery] [the {hardware}|our order].",
            "Why do I have to pay [import|customs] charges for [an order from Tillpoint|the {hardware}]?",
        ),
        ("Nobody told us about this when ordering.",),
        ("Should I pay it?",),
        "hardware",
        (
            "Orders to your region ship duty-paid; please refuse the charge and we'll sort it out with {carrier}.",
        ),
        0.5,
    ),
)

_SECURITY = (
    Intent(
        "suspicious_login",
        (
            "Suspicious login",
            "Someone accessed my account",
            "Unknown login alert",
            "Hacked?",
            "security alert",
            "Unauthorised access",
        ),
        (
            "I got a [login|security] alert from [an unknown device|another country|{city}] [{when}|] [, it wasn't me|].",
            "[I think|We think] someone [accessed|logged into] our account [and changed|and looked at] [the bank details|our payouts|staff settings].",
            "[There are|I see] [refunds|sales|logins] in the [dashboard|activity log] that none of us made.",
        ),
        (
            "I changed my password straight away.",
            "Nobody else has the login.",
            "It happened at {time}.",
        ),
        (
            "Please [lock|secure] the account.",
            "Can you tell me what they did?",
            "What should I do now?",
        ),
        "account",
        (
            "I've signed out all sessions and locked payouts while we investigate. Please change your password and enable two-factor authentication.",
        ),
        1.5,
    ),
    Intent(
        "gdpr_request",
        (
            "Data deletion request",
            "GDPR request",
            "Delete my data",
            "Personal data request",
            "privacy request",
        ),
        (
            "[Under GDPR|Under the GDPR|As per data protection law] [I request|please provide] [a copy of|the deletion of] all personal data you hold about [me|our customers].",
            "A customer [asked us|wants us] to delete their [data|card details|email] from our Tillpoint customer directory; how do [we|I] make sure it's gone from your systems too?",
            "[Please|I want you to] delete [my|our] account and all data [permanently|], we [closed|have closed] the business.",
        ),
        ("My name is {name} {last}, account email {email}.", "Please confirm in writing."),
        ("How long will this take?",),
        "account",
        ("We've received your data request and will respond within 30 days as required by GDPR.",),
        1.0,
    ),
    Intent(
        "phishing",
        ("Phishing email?", "Fake Tillpoint email", "Is this email from you?", "Scam text message"),
        (
            "[I got|We received] an email [claiming to be|pretending to be] from Tillpoint asking [for my password|to confirm our bank details|to pay an invoice].",
            "Is this [link|message] [real|legit|from you]? It says our account will be suspended [unless I log in|today].",
        ),
        ("The sender was {email2}.", "I didn't click anything.", "One of my staff clicked it."),
        ("Should I be worried?", "Please confirm."),
        "account",
        (
            "That email was not from us. Please don't click the link; forward it to phishing@tillpoint.com.",
        ),
        0.8,
    ),
    Intent(
        "revoke_access",
        ("Remove ex-employee access", "Former staff still has access", "Revoke access"),
        (
            "[An employee|Our former manager] [left|was fired] and [still has|might still have] access to [the dashboard|our account|customer data]; [remove it now|please revoke it immediately].",
            "[How do I make sure|Please make sure] [an ex-employee|a former staff member] can't see [our customer data|payouts] anymore.",
        ),
        ("They left on bad terms.",),
        ("Please confirm when it's done.",),
        "account",
        ("I've removed that user's access and ended their sessions.",),
        0.6,
    ),
    Intent(
        "compliance_docs",
        (
            "PCI compliance",
            "Security documentation request",
            "Vulnerability report",
            "SOC 2 report",
        ),
        (
            "[Our|The] bank [asked for|needs] [your PCI compliance certificate|proof of PCI compliance] [for our account|].",
            "I [found|think I found] a security [vulnerability|issue] in [your dashboard|the login page|the API] and want to report it [responsibly|].",
            "Can you send [your SOC 2 report|your data processing agreement|details on how card data is stored]?",
        ),
        ("We're a {business} with {n} locations.",),
        ("Where can I get it?",),
        "other",
        ("Our PCI attestation and DPA are available at tillpoint.com/security.",),
        0.6,
    ),
)

# Issues that only exist after the new product line launched (shifted regime only).
_BUG_NEW = (
    Intent(
        "tap_to_pay_failing",
        (
            "Tap to Pay not working",
            "Tap to Pay error",
            "phone won't accept cards",
            "contactless on phone broken",
        ),
        (
            "Tap to Pay on [my|our] [iPhone|Android phone|{device}] [says|shows] [device not supported|{error}] [when a customer taps|since {since}|].",
            "[Customers|People] tap their card on [my|the] phone and [nothing happens|it spins forever|it says try again].",
            "Tap to Pay [stopped|stops] [working|accepting cards] [after {n} payments|randomly|since {since}].",
        ),
        ("It worked the first week.", "The phone is updated.", "We're on version {version}."),
        ("Is this a bug?", "Please fix, we rely on it at markets."),
        "payments",
        (
            "Tap to Pay needs the latest OS version; please update the phone and sign out and back in.",
        ),
        1.2,
        "shifted",
    ),
    Intent(
        "loyalty_points_bug",
        (
            "Loyalty points not added",
            "Loyalty not working",
            "points missing",
            "Kitchen Display frozen",
        ),
        (
            "[Loyalty points|Points] [aren't being added|are not added|get added twice] [when customers pay|to customer accounts|since {since}].",
            "The Kitchen Display [freezes|goes blank|shows old orders] [during service|every evening|since {since}].",
            "[Customers|Our regulars] [complain|say] their [points|rewards] [disappeared|are missing] [in the app|].",
        ),
        ("We set it up exactly like the guide says.", "It affects {n} customers so far."),
        ("Can you fix the balances?", "Please look into it."),
        "pos_app",
        (
            "We found a bug that skipped loyalty points for some payments; balances will be corrected automatically.",
        ),
        1.0,
        "shifted",
    ),
)
_HOWTO_NEW = (
    Intent(
        "setup_new_product",
        (
            "How to set up Loyalty",
            "Tap to Pay setup",
            "Kitchen Display setup?",
            "how to use Go app",
        ),
        (
            "How do I [turn on|set up|start using] [Loyalty points|Tap to Pay|the Kitchen Display|Smart Reports] [on the {device}|for my staff|]?",
            "[Where|How] do I [set|change] [how many points customers get|the loyalty rewards|the Kitchen Display layout] [in {app}|]?",
            "Can I [use|run] [Tap to Pay|the Go app] on [more than one|a second|my staff's] phone[s|]?",
        ),
        ("We just switched to {app}.", "The new menu looks different from the old app."),
        ("Is there a guide?", "Thanks!"),
        "pos_app",
        (
            "You'll find Loyalty under Customers > Loyalty in the Hub; turn it on and pick your reward.",
        ),
        1.2,
        "shifted",
    ),
)
_BILLING_NEW = (
    Intent(
        "capital_repayment",
        ("Capital loan repayment", "Loan deduction from payouts", "Capital question"),
        (
            "[Why|How come] [is|was] {amount} [taken|deducted] from [my|our] payout [for the Capital loan|this week]?",
            "How much is left to repay on our [Capital|Tillpoint Capital] loan?",
            "The Capital repayment [percentage|amount] [seems higher than agreed|changed this month].",
        ),
        ("We took the loan in {month}.",),
        ("Can you send a statement?",),
        "payments",
        (
            "Capital repayments are a fixed share of each day's card sales; your statement is under Capital in the Hub.",
        ),
        0.9,
        "shifted",
    ),
)

# Sentences whose category depends on facts the text does not settle (is the feature missing or
# just hidden? did they ask for the money back?). A ticket of any listed class may open with one;
# its other sentences come from its own intent, so only sometimes they settle it.
AMBIGUOUS: tuple[tuple[tuple[str, ...], str], ...] = (
    (
        ("how_to", "feature_request"),
        "Is there a way to [schedule reports|set prices by time of day|split tips by hours|print receipts in two languages]?",
    ),
    (
        ("how_to", "feature_request"),
        "Can {app} [do|handle] {feature} [for two shops|per staff member|by category]? I couldn't find it anywhere.",
    ),
    (
        ("how_to", "feature_request"),
        "I want to [show|add] [the server name|our logo|a QR code] on [receipts|invoices], [is that possible|can I do that]?",
    ),
    (
        ("how_to", "bug_report"),
        "{feature} [doesn't seem to|won't] [work|do anything] [for us|on the {device}], am I doing something wrong?",
    ),
    (
        ("how_to", "bug_report"),
        "I [set up|turned on] {feature} but it's not [showing|working] [on the receipts|on the {device}|for my staff].",
    ),
    (
        ("how_to", "bug_report"),
        "The [discount|tip|tax] isn't [applied|showing] at checkout even though I [added|set] it [in the dashboard|].",
    ),
    (
        ("bug_report", "account_access"),
        "I [can't|cannot] [get into|open] {app} [since {since}|this morning], it just [spins|goes back to the login page].",
    ),
    (
        ("bug_report", "account_access"),
        "[The login page|Sign in] [gives|shows] {error} [every time|when I try].",
    ),
    (
        ("account_access", "security_privacy"),
        "I got an email saying [my password|the account email] was changed but [I didn't do it|it wasn't me].",
    ),
    (
        ("account_access", "security_privacy"),
        "[Someone|A former employee] [changed|knows] [my|our] password and [now|] I can't log in.",
    ),
    (("billing", "refund"), "We [were charged|got charged] twice for {month}."),
    (("billing", "refund"), "I was charged {amount} after I [cancelled|closed the account]."),
    (
        ("billing", "refund"),
        "[We're|I'm] still being charged for [a device we returned|{n} users we removed].",
    ),
    (("billing", "refund", "shipping"), "I was charged for {n} readers but only ordered one."),
    (
        ("shipping", "refund"),
        "The {reader} [arrived broken|is damaged][, I'm not happy| - what now?|].",
    ),
    (
        ("shipping", "bug_report"),
        "The {reader} we got [won't turn on|is dead] [out of the box|straight away].",
    ),
    (("billing", "how_to"), "How do I [see|find] what I'm paying [each month|for]?"),
    (("billing", "how_to"), "How do I change the card [on file|we pay with]?"),
    (
        ("billing", "account_access"),
        "I can't [get to|open] the billing page, it says I don't have permission.",
    ),
    (
        ("security_privacy", "how_to"),
        "How do I [delete|remove] a customer's [data|details] from the directory?",
    ),
    (("security_privacy", "account_access"), "How do I [remove|lock out] a staff member who left?"),
    (
        ("feature_request", "bug_report"),
        "{feature} [should|needs to] [show|include] [tips|the staff name|taxes] but it doesn't.",
    ),
    (("refund", "how_to", "billing"), "How do refunds work [with you|on your side] if we cancel?"),
    (("bug_report", "billing"), "The [fees|totals] in the payout report look wrong."),
    (
        ("bug_report", "shipping"),
        "The replacement {reader} [has the same problem|doesn't work either].",
    ),
    (
        ("feature_request", "how_to", "bug_report"),
        "[Why can't I|Is it not possible to] [edit|delete] [a sale|an old order|a closed ticket]?",
    ),
)

# Asks that fit any topic.
GENERIC_ASKS = (
    "Please help.",
    "Can you look into this?",
    "[Thanks|Thank you] in advance.",
    "What should I do?",
    "Please advise.",
    "Can someone [call|email] me back?",
    "Please get back to me [asap|today|soon].",
    "Let me know.",
    "Any help appreciated.",
    "How do I fix this?",
    "Can you sort this out?",
)

# Details any ticket might carry, whatever its topic.
SHARED_DETAILS = (
    "We're on the {plan} plan.",
    "It's on the {device}.",
    "Our account email is {email}.",
    "[I've attached|Attached is] a screenshot.",
    "My name is {name}, I'm the [owner|manager].",
    "This is [the second|the third] time I'm writing about this.",
    "We have {n} locations.",
    "We use {app} [every day|all day].",
    "I'm not very technical, sorry.",
    "[Our|My] reference is {ticket}.",
    "Call me on 07{digits} {digits} if easier.",
)

CATEGORIES: dict[str, tuple[Intent, ...]] = {
    "bug_report": _BUG + _BUG_NEW,
    "how_to": _HOWTO + _HOWTO_NEW,
    "billing": _BILLING + _BILLING_NEW,
    "account_access": _ACCESS,
    "feature_request": _FEATURE,
    "refund": _REFUND,
    "shipping": _SHIPPING,
    "security_privacy": _SECURITY,
}
