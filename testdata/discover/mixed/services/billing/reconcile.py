import anthropic

client = anthropic.Anthropic()


def summarise(rows):
    return client.messages.create(model="claude-3-5-sonnet-latest", max_tokens=512,
                                  messages=[{"role": "user", "content": str(rows)}])
