"""A Hebrew and a Persian post as their teams write them: each starts with a
left-to-right run ("🚀 Lumen 2.0"), and holds a link, a mention and hashtags."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import MakeProject

HEBREW = """\
---
id: 2026-12-02-he
title: השקת Lumen 2.0
language: he
channels: [mastodon, bluesky, linkedin, feed]
publish_at: 2026-12-02 12:30
---
🚀 Lumen 2.0 יוצא היום!

כל הפרטים: https://lumen.example/he/launch. תודה ל-@alice על העזרה. #השקה #Lumen
"""

PERSIAN = """\
---
id: 2026-12-02-fa
title: انتشار Lumen 2.0
language: fa
channels: [mastodon, bluesky, linkedin, feed]
publish_at: 2026-12-02 12:30
---
🚀 Lumen 2.0 منتشر شد!

جزئیات در https://lumen.example/fa/launch. با تشکر از @alice برای کمک. #لومن #Lumen
"""

ENGLISH = """\
---
id: 2026-12-02-en
title: Lumen 2.0 is out
channels: [mastodon, bluesky, feed]
publish_at: 2026-12-02 12:30
---
Lumen 2.0 is out: https://lumen.example/launch
"""

POSTS = {"he": HEBREW, "fa": PERSIAN}


def rtl_project(make_project: MakeProject, *languages: str) -> Path:
    """A project with the posts in ``languages`` (``he``, ``fa``), and one in English
    without a language."""
    posts = {f"{language}.md": POSTS[language] for language in languages}
    return make_project(posts={**posts, "en.md": ENGLISH})
