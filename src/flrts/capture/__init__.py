"""Channel-independent capture: a message becomes a proposal card, the person confirms or corrects
it, and the confirmed proposal becomes exactly one record. Telegram, the desk's chat page and the
API all call `flrts.capture.conversation`; each renders the channel-neutral `Reply` objects."""
