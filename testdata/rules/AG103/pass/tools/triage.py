def triage(ticket):
    return "default"
