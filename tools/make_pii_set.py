"""Write tests/data/pii_set.jsonl: Warmline's own measurement set for PII redaction.

Every sentence below was written for this set. Personal data is marked inline as
``<<kind:value>>``; the slots ``{card}``, ``{card_bad}``, ``{iban:CC}`` and ``{iban_bad:CC}`` are
filled with generated numbers (valid cards pass Luhn, valid IBANs pass mod-97; the ``_bad``
variants fail their check and are *not* personal data by our rules — they must be kept).
Everything else in a sentence must be kept: order numbers, prices, dates, versions.

Deterministic: ``python tools/make_pii_set.py`` rewrites the same file from the same seed.
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "tests" / "data" / "pii_set.jsonl"
SEED = 20261202

# IBAN lengths per country (ISO 13616 registry, a fact): only the countries used below.
_IBAN_LENGTH = {"DE": 22, "GB": 22, "FR": 27, "NL": 18, "ES": 24, "IT": 27, "BE": 16, "IE": 22,
                "PL": 28, "CH": 21, "AT": 20, "PT": 25}  # fmt: skip
_BANK_CODES = {"GB": "NWBK", "NL": "ABNA", "IE": "AIBK"}

SENTENCES = [
    # --- e-mail addresses -------------------------------------------------------------------
    "You can reach me at <<email:maria.lopez@example.com>> any time after five.",
    "My login is <<email:j.okafor+shop@mail.example.co.uk>>, not the old one.",
    "Please send the label to <<email:DEV_team@sub.example.org>> so I can print it.",
    "I wrote twice from <<email:anna-k@example.de>> and heard nothing back.",
    "Email me (<<email:pat.obrien@example.ie>>) when the refund goes through.",
    "The invoice went to <<email:accounts@example-shop.com>>; can you resend it to "
    "<<email:li.wei@example.cn>> please?",
    "contact:<<email:sam@example.io>>",
    "It's <<email:renée.dubois@example.fr>> with the accent on the e.",
    "Both <<email:a@example.com>> and <<email:b.c@example.net>> got the same newsletter twice.",
    "Use the address on file, which is <<email:zoe_99@example.com.au>>.",
    "Hi, I'm emailing from my work account <<email:t.nakamura@corp.example.jp>> today.",
    # e-mail look-alikes that are not addresses
    "Our handle is @warmline_help on most sites.",
    "The file is called report@2x.png and it will not upload.",
    "Meet at 3 @ the front desk if the courier is late.",
    # --- phone numbers, several national formats --------------------------------------------
    "Call me on <<phone:+1 415 555 0134>> after lunch.",
    "My number is <<phone:(415) 555-0199>>, the mobile is off at work.",
    "Text <<phone:415-555-0142>> if the driver cannot find the gate.",
    "You can ring <<phone:+44 20 7946 0958>> and ask for Priya.",
    "My mobile: <<phone:07700 900123>>.",
    "Landline is <<phone:020 7946 0321>> during the day.",
    "Mon numéro est le <<phone:06 12 34 56 78>>, merci.",
    "Appelez-moi au <<phone:+33 6 12 34 56 78>> demain matin.",
    "Meine Nummer ist <<phone:+49 30 12345678>> (Büro).",
    "Ich bin unter <<phone:030 12345678>> erreichbar.",
    "Chiamami al <<phone:+39 06 1234 5678>> per favore.",
    "Mi móvil es el <<phone:+34 612 34 56 78>>.",
    "Bel me op <<phone:06-12345678>> als het pakket er is.",
    "My Sydney office is <<phone:+61 2 9876 5432>>.",
    "Mobile: <<phone:0412 345 678>>, I'm in Melbourne.",
    "Please call <<phone:+91 98765 43210>> between 10 and 6 IST.",
    "Meu celular é <<phone:+55 11 91234-5678>>.",
    "Office in Tokyo: <<phone:03-1234-5678>>.",
    "Call me at <<phone:+1-212-555-0188>> or at <<phone:212.555.0177>>.",
    "I gave them <<phone:4155550123>> when I signed up.",
    "Reach my husband on <<phone:+353 87 123 4567>> if I'm out.",
    "The store said to ring <<phone:+46 8 123 456 78>> for the Stockholm branch.",
    "Customer rang from <<phone:+27 21 555 0123>> this morning.",
    "Fax it to <<phone:1-800-555-0111>> if e-mail does not work.",
    # phone look-alikes that are not phone numbers
    "Order 1029384756 still shows as processing.",
    "Tracking number 9400111899223856923145 has not moved since Monday.",
    "It cost $1,299.00 and arrived on 2026-03-14 at 14:30.",
    "The part number is 555-0134 according to the manual.",
    "I'm on version 10.0.19045.2965 of the app.",
    "Case #20261187 was closed without an answer.",
    "We are open 0900-1730, Monday to Friday.",
    "Your ticket 4471-2290 is with the warehouse team.",
    "Ref: 1700000000 was the timestamp on the error.",
    "Invoice no. 07700900123 is the one that was charged twice.",
    "Booking reference 0123456789 is for two nights.",
    "I ordered 12 units at £14.99 each on 03/05/2026.",
    # --- payment cards ----------------------------------------------------------------------
    "The card I used ends in 4242, the full number is {card}.",
    "Charge it to {card} please, expiry 09/28.",
    "I paid with {card} and it was taken twice.",
    "Card: {card}",
    "My old card {card} was cancelled, use {card} instead.",
    "It's an Amex, {amex}.",
    "The number on the card is {card_dashed}.",
    "My debit card is {card_plain} if you need it.",
    # card look-alikes: fail Luhn or are references
    "I typed {card_bad} and the site said the card was invalid.",
    "The receipt shows {card_bad}, which doesn't look like my card.",
    "Gift code {card_bad} did not work at checkout.",
    "Order number 4111 1111 1111 1112 was split into two parcels.",
    "Serial 1234567812345678 is printed under the battery.",
    # --- IBANs ------------------------------------------------------------------------------
    "Please refund to {iban:DE}.",
    "My IBAN is {iban:GB} (NatWest).",
    "Le virement doit aller sur {iban:FR}.",
    "Rekeningnummer: {iban:NL}.",
    "Devuélvanlo a {iban:ES}, por favor.",
    "Il mio IBAN: {iban:IT}",
    "Account {iban:BE} is in my wife's name.",
    "IBAN {iban:IE}, BIC AIBKIE2D.",
    "Send it to {iban_plain:DE} instead of the old account.",
    "Numer konta: {iban:PL}",
    "Bitte überweisen Sie auf {iban:AT}.",
    "Refund to {iban:CH} if possible.",
    "The IBAN {iban_lower:PT} is correct, I checked twice.",
    # IBAN look-alikes: bad checksum, product codes
    "I think the account was {iban_bad:DE} but the bank rejected it.",
    "Product code GB82 WEST 1234 5698 7654 32XX is on the box.",
    "Model DE44X500 is the one that broke.",
    # --- street addresses -------------------------------------------------------------------
    "Ship it to <<address:221B Baker Street>>, London NW1 6XE.",
    "My new address is <<address:12 High St, Apt 4B>>, Springfield.",
    "It went to <<address:Flat 2, 10 Downing Street>> by mistake.",
    "Deliver to <<address:1600 Pennsylvania Avenue NW>>, Washington DC.",
    "Use <<address:PO Box 123>> for anything by post.",
    "I live at <<address:42 Wallaby Way>>, Sydney.",
    "The parcel is at <<address:7 Elm Grove>> with my neighbour.",
    "Send it to <<address:350 Fifth Avenue>>, floor 21.",
    "We moved to <<address:18 Rue de la Paix>> last month.",
    "Return address: <<address:Unit 5, 88 Queen Road>>.",
    "Billing address is <<address:1 Infinite Loop>>, Cupertino, CA 95014.",
    "It was left at <<address:55 Baker Lane>>, which is not my house.",
    "Try <<address:9 Church Road>> — the blue door.",
    "Meine Adresse ist <<address:Hauptstraße 5>>, 10115 Berlin.",
    "Mi dirección es <<address:Calle Mayor 12>>, Madrid.",
    "My flat is at <<address:33 Kingsway Parade>>.",
    # address look-alikes
    "I bought the 2 External Hard Drive bundle last week.",
    "Your 3 Main Street Burgers voucher is attached.",
    "Route 66 was closed so the van was late.",
    "I waited 45 minutes on the line yesterday.",
    # --- mixed ------------------------------------------------------------------------------
    "Hi, it's Tom. Email <<email:tom.h@example.com>> or call <<phone:+44 7700 900456>>; "
    "card was {card}.",
    "Order 88123 went to <<address:14 Station Road>> but I'm at <<address:2 Mill Lane>> now.",
    "Refund {iban:NL} and confirm to <<email:finance@example.nl>>.",
    "Ticket #55123: customer <<email:j.smith@example.com>>, phone <<phone:(212) 555-0123>>.",
    "Price went from $49.99 to $59.99 on 2026-11-01, order #A-99812.",
    "Agent 0042 said they'd call back on <<phone:+1 646 555 0100>>.",
]

# Written after the rules were last changed, and never used to change them: the figures on this
# batch are the honest estimate for new text (the first batch guided the IBAN and street rules).
FRESH = [
    "Hello, my email is <<email:georgia.m@example.com>> and my order is 77120.",
    "Could you ring me back on <<phone:+44 161 496 0000>> before 4pm?",
    "I'm at <<address:27 Willow Crescent>> until Friday, then away.",
    "The card number is {card} — please don't charge it again.",
    "Pay the refund into {iban:FR}, it's my Crédit Mutuel account.",
    "Parcel 3345-887-21 was marked delivered but nothing came.",
    "Je suis au <<address:4 avenue des Lilas>>, au deuxième étage.",
    "Mein Handy: <<phone:0151 23456789>>.",
    "You charged £89.50 on 12/10/2026 and again on 14/10/2026.",
    "Reach me at <<email:k_osei@example.gh>> or <<phone:+233 24 123 4567>>.",
    "Wrong address! It should be <<address:Apt 12, 400 Oak Avenue>>, not 40.",
    "I got error code 0x80070005 when I tried to pay.",
    "My partner's number, <<phone:(604) 555-0199>>, is on the account too.",
    "Can you refund to the card ending 1881 instead?",
    "Here is the IBAN again: {iban:ES}",
    "The sofa was meant to go to <<address:Casa 3, Via Garibaldi 21>>.",
    "Version 3.2.1 fixed it for a day, then the app crashed again.",
    "I called 3 times and waited 40 minutes each time.",
    "Card {card_bad} keeps getting declined — is that the right number on my account?",
    "Please update my email to <<email:hannah.berg@example.se>>.",
    "Contact me on WhatsApp: <<phone:+49 171 2345678>>.",
    "Use the billing address <<address:8 Harbour Row>>, Cork.",
    "Order #GB-2231-77 is still not here after 3 weeks.",
    "Send the replacement to <<address:Kastanienallee 12>> please.",
    "My wife's card {card} was used, not mine.",
    "The 4 Seasons Hotel booking 88231 was cancelled without notice.",
    "IBAN: {iban_plain:NL} (ING).",
    "Phone: <<phone:+1 (905) 555-0147>>, extension 3.",
    "Our office is on the 5th floor, room 512.",
    "It arrived on 1 March, two weeks after the date you promised.",
]

_MARK = re.compile(r"<<(\w+):(.+?)>>|\{(\w+)(?::(\w\w))?\}")


def _luhn_digit(body: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        if i % 2 == 0:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return str((10 - total % 10) % 10)


def _card(rng: random.Random, prefix: str, length: int) -> str:
    body = prefix + "".join(rng.choice("0123456789") for _ in range(length - len(prefix) - 1))
    return body + _luhn_digit(body)


def _iban(rng: random.Random, country: str, *, valid: bool = True) -> str:
    bank = _BANK_CODES.get(country, "")
    rest = bank + "".join(
        rng.choice("0123456789") for _ in range(_IBAN_LENGTH[country] - 4 - len(bank))
    )
    numeric = "".join(str(int(c, 36)) for c in rest + country + "00")
    check = 98 - int(numeric) % 97
    if not valid:
        check = (check + 1 + rng.randrange(90)) % 97 + 2
    return f"{country}{check:02d}{rest}"


def _grouped(value: str, size: int = 4, sep: str = " ") -> str:
    return sep.join(value[i : i + size] for i in range(0, len(value), size))


def _fill(rng: random.Random, slot: str, country: str | None) -> tuple[str, str | None]:
    """The text for one slot and the kind of personal data it is (None: must be kept)."""
    prefix = rng.choice(["4", "51", "53", "6011"])
    if slot == "card":
        return _grouped(_card(rng, prefix, 16)), "card"
    if slot == "card_dashed":
        return _grouped(_card(rng, prefix, 16), sep="-"), "card"
    if slot == "card_plain":
        return _card(rng, prefix, 16), "card"
    if slot == "amex":
        c = _card(rng, "37", 15)
        return f"{c[:4]} {c[4:10]} {c[10:]}", "card"
    if slot == "card_bad":
        c = _card(rng, prefix, 16)
        bad = c[:-1] + str((int(c[-1]) + 1 + rng.randrange(8)) % 10)
        return _grouped(bad), None
    assert country is not None, slot
    if slot == "iban":
        return _grouped(_iban(rng, country)), "iban"
    if slot == "iban_plain":
        return _iban(rng, country), "iban"
    if slot == "iban_lower":
        return _grouped(_iban(rng, country)).lower(), "iban"
    if slot == "iban_bad":
        return _grouped(_iban(rng, country, valid=False)), None
    raise ValueError(f"unknown slot {slot!r}")


def build() -> list[dict[str, object]]:
    rng = random.Random(SEED)
    records: list[dict[str, object]] = []
    batches = [("first", t) for t in SENTENCES] + [("fresh", t) for t in FRESH]
    for n, (batch, template) in enumerate(batches, start=1):
        text, spans, last = "", [], 0
        for m in _MARK.finditer(template):
            text += template[last : m.start()]
            if m.group(1):
                value, kind = m.group(2), m.group(1)
            else:
                value, kind = _fill(rng, m.group(3), m.group(4))
            if kind is not None:
                spans.append({"kind": kind, "start": len(text), "end": len(text) + len(value)})
            text += value
            last = m.end()
        text += template[last:]
        records.append({"id": f"pii-{n:03d}", "batch": batch, "text": text, "spans": spans})
    return records


def main() -> None:
    records = build()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", encoding="utf-8") as fh:
        for rec in records:
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    spans = sum(len(r["spans"]) for r in records)  # type: ignore[arg-type]
    print(f"wrote {OUT} ({len(records)} sentences, {spans} personal-data spans)")


if __name__ == "__main__":
    main()
