"""Answer text: the structured `Answer`, the grounded composer, review aspects, the claim checks and the LLM prompts.

Every sentence a shopper reads is made here, from the structured evidence the search returns.
"""
