"""Refuse passwords that are easy to guess (ASVS 6.2.4 and 6.2.12).

zxcvbn knows the 30,000 most used passwords and large lists of names and words, and sees
patterns (dates, keyboard rows, repeats); the words below are what anyone would try on this
site, and the member's own name and e-mail address are added per check.
"""

import re

from zxcvbn import zxcvbn

SITE_WORDS = ["kennisnet", "wachtwoord", "welkom", "geheim", "inloggen", "aanmelden",
              "zorgcooperatie", "zorgcoöperatie", "cooperatie", "coöperatie", "vereniging",
              "stichting", "dorp", "buurt", "zorg", "welzijn", "vrijwilliger", "nederland",
              "wijkteam", "mantelzorg"]
MIN_SCORE = 2  # zxcvbn 0-4; below 2 is fewer than a million guesses
ESTIMATE_CHARS = 72  # zxcvbn refuses longer input; only the estimate looks at fewer characters


def is_easy_to_guess(password: str, personal=()) -> bool:
    words = list(SITE_WORDS)
    for item in filter(None, personal):
        words.append(item.lower())
        words += [part for part in re.split(r"[\W_]+", item.lower()) if len(part) >= 3]
    return zxcvbn(password[:ESTIMATE_CHARS], user_inputs=words)["score"] < MIN_SCORE
