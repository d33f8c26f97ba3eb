"""The answer path: read the question, plan, gather candidates, score, compose, verify; and the chat's follow-ups."""
