"""The team's own code that the `count_words` activity of the digest case is bound to.

The generated worker imports it as `digest_user_code:count_words`; the golden test puts this
file on the import path of the type check, as a user's project would.
"""

from daily_digest.models import CountWordsInput


async def count_words(input: CountWordsInput) -> int:
    return len(input.text.split())
