"""Adaptation: a post becomes one variant per channel, exactly as it will be sent.

``markdown`` renders the body into each network's dialect, ``mentions`` and
``links`` fill in people's handles and tagged links, ``threads`` splits long
text, ``templates`` runs a channel's optional Jinja2 template, and
``variants`` puts it together and reports what a network would refuse.
"""
