# ruff: noqa: RUF001  (sample text is multilingual on purpose: typographic punctuation)
"""Generate a large, valid smmgen project for benchmarks.

Usage::

    python benchmarks/generate.py DIR [--posts N] [--channels K] [--seed S]

writes a complete content repository into DIR: ``channels.yaml``,
``calendar.yaml``, ``media/*.png`` and N posts in ``content/YYYY/MM/<id>.md``.
The output depends only on the arguments (same seed, same bytes).

Every post is meant to pass ``smmgen check``:

- ``publish_at`` is ``YYYY-MM-DD HH:MM`` in Europe/Berlin between 2027-01-01
  and 2028-12-31, never between 02:00 and 03:59 local time (so never inside a
  DST gap or overlap), never on a blackout day, and no two posts (on any
  channel) are less than 10 minutes apart;
- no banned phrase; sponsored posts contain the ``#ad`` disclosure;
- every media item has alt text and points at a real PNG file in ``media/``;
- tags plus campaign hashtags plus ``#ad`` stay within ``max_hashtags``;
- ``thread: true`` posts have parts of at most 150 by X's weighted count
  (CJK and emoji count 2) and their link in a part of its own, which leaves
  room for long handles and three hashtags under X's 280 and Bluesky's 300;
  override texts are at most 110; other posts are 80-1200 characters and
  leave ``thread`` at its default (``auto``), so long ones become threads
  where the network has them;
- bodies of posts with media stay under Telegram's 1024-character caption;
- a campaign is only set on posts inside the campaign's dates; overrides only
  name channels the post goes to.

The module is stdlib-only so it runs before smmgen itself is installed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import shutil
import struct
import sys
import time
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from random import Random

MARKER = ".smmgen-benchmark"
"""File written into a generated project; only such a DIR may be regenerated."""

FIRST_DAY = dt.date(2027, 1, 1)
LAST_DAY = dt.date(2028, 12, 31)
MIN_GAP_MINUTES = 10
SITE = "https://lumenlabs.example.com"

# ---------------------------------------------------------------------------
# channels.yaml

CHANNEL_TYPES = (
    "mastodon",
    "bluesky",
    "x",
    "linkedin",
    "telegram",
    "discord",
    "slack",
    "feed",
    "threads",
    "facebook",
)

# Field names exactly as in the repository's example channels.yaml.
CHANNEL_CONFIG: dict[str, dict[str, str]] = {
    "mastodon": {
        "type": "mastodon",
        "instance": "https://fosstodon.example",
        "token_env": "SMMGEN_MASTODON_TOKEN",
    },
    "bluesky": {
        "type": "bluesky",
        "handle": "lumenlabs.example.com",
        "service": "https://pds.example.com",
        "password_env": "SMMGEN_BLUESKY_APP_PASSWORD",
    },
    "x": {
        "type": "x",
        "api_key_env": "SMMGEN_X_API_KEY",
        "api_secret_env": "SMMGEN_X_API_SECRET",
        "access_token_env": "SMMGEN_X_ACCESS_TOKEN",
        "access_token_secret_env": "SMMGEN_X_ACCESS_TOKEN_SECRET",
    },
    "linkedin": {
        "type": "linkedin",
        "author": "urn:li:organization:5515715",
        "token_env": "SMMGEN_LINKEDIN_TOKEN",
    },
    "telegram": {
        "type": "telegram",
        "chat_id": "@lumenlabs_news",
        "token_env": "SMMGEN_TELEGRAM_BOT_TOKEN",
    },
    "discord": {
        "type": "discord",
        "webhook_url_env": "SMMGEN_DISCORD_WEBHOOK_URL",
    },
    "slack": {
        "type": "slack",
        "webhook_url_env": "SMMGEN_SLACK_WEBHOOK_URL",
    },
    "feed": {
        "type": "feed",
        "path": "public/feed.xml",
        "title": "Lumen Labs news",
        "site_url": SITE,
    },
    "threads": {
        "type": "threads",
        "token_env": "SMMGEN_THREADS_TOKEN",
    },
    "facebook": {
        "type": "facebook",
        "page_id": "1234567890",
        "token_env": "SMMGEN_FACEBOOK_TOKEN",
    },
}

# How each person is addressed on a channel of each type.
PEOPLE: dict[str, dict[str, str]] = {
    "alice": {
        "mastodon": "@alice@fosstodon.example",
        "bluesky": "@alice.lumenlabs.example.com",
        "x": "@alice_lumen",
        "linkedin": "Alice Moreau",
        "telegram": "@alice_lumen",
        "discord": "Alice Moreau",
        "slack": "Alice Moreau",
        "feed": "Alice Moreau",
        "threads": "@alice_lumen",
        "facebook": "Alice Moreau",
    },
    "bob": {
        "mastodon": "@bob@hachyderm.example",
        "bluesky": "@bobdev.example.net",
        "x": "@bobdev",
        "linkedin": "Bob Okafor",
        "telegram": "@bobdev",
        "discord": "Bob Okafor",
        "slack": "Bob Okafor",
        "feed": "Bob Okafor",
        "threads": "@bobdev",
        "facebook": "Bob Okafor",
    },
    "carol": {
        "mastodon": "@carol@floss.example",
        "bluesky": "@carol.example.org",
        "x": "@carol_n",
        "linkedin": "Carol Nakamura",
        "telegram": "@carol_n",
        "discord": "Carol Nakamura",
        "slack": "Carol Nakamura",
        "feed": "Carol Nakamura",
        "threads": "@carol_n",
        "facebook": "Carol Nakamura",
    },
}

POLICY_YAML = """\
policy:
  require_alt_text: true
  banned_phrases: ["guaranteed returns", "revolutionary AI"]
  sponsored_disclosure: "#ad"
  max_hashtags: {default: 3, linkedin: 5}
"""
MAX_HASHTAGS = 3
# Longest thread part and override text, by X's weighted count (CJK counts 2):
# leaves room for mentions expanded to long handles, three hashtags and a link
# below X's 280 and Bluesky's 300 graphemes.
THREAD_PART_MAX = 150
OVERRIDE_TEXT_MAX = 110
MAX_HASHTAGS_LINKEDIN = 5
BANNED_PHRASES = ("guaranteed returns", "revolutionary AI")

# ---------------------------------------------------------------------------
# calendar.yaml


@dataclass(frozen=True)
class Campaign:
    name: str
    start: dt.date
    end: dt.date
    hashtags: tuple[str, ...]


CAMPAIGNS = (
    Campaign("kubecon-eu-2027", dt.date(2027, 3, 1), dt.date(2027, 3, 31), ("KubeCon",)),
    Campaign("v3-launch", dt.date(2027, 5, 10), dt.date(2027, 5, 28), ("LumenV3",)),
    Campaign("summer-of-traces", dt.date(2027, 7, 1), dt.date(2027, 8, 15), ("SummerOfTraces",)),
    Campaign("observability-week", dt.date(2027, 10, 4), dt.date(2027, 10, 10), ("ObsWeek",)),
    Campaign("fosdem-2028", dt.date(2028, 1, 29), dt.date(2028, 2, 6), ("FOSDEM",)),
    Campaign("kubecon-eu-2028", dt.date(2028, 3, 20), dt.date(2028, 4, 14), ("KubeCon",)),
    Campaign("v4-launch", dt.date(2028, 6, 5), dt.date(2028, 6, 23), ("LumenV4",)),
    Campaign("year-in-review", dt.date(2028, 12, 1), dt.date(2028, 12, 20), ("YearInReview",)),
)
BLACKOUT = (dt.date(2027, 12, 24), dt.date(2027, 12, 26), "Holidays")

# Allowed local minutes of a day, as [start, end) windows. Both avoid
# 02:00-03:59, so no post is ever at a local time a DST change skips or repeats.
DAYTIME_WINDOWS = ((7 * 60, 23 * 60),)
FULL_WINDOWS = ((0, 2 * 60), (4 * 60, 24 * 60))

# ---------------------------------------------------------------------------
# Text


@dataclass(frozen=True)
class Language:
    code: str
    weight: int
    sentences: tuple[str, ...]
    mentions: tuple[str, ...]  # "{who}" is replaced by "@alice" etc.
    more: tuple[str, ...]  # "{url}" is replaced by a link
    list_intro: str
    list_items: tuple[str, ...]
    sponsored: str  # contains the "#ad" disclosure
    titles: tuple[str, ...]
    alts: tuple[str, ...]


LANGUAGES = (
    Language(
        code="en",
        weight=45,
        sentences=(
            "Lumen 2.4 is out: faster trace ingestion, a calmer alert inbox and a "
            "brand-new query editor. ✨",
            "We cut p99 ingest latency by 38% by batching spans before compression.",
            "Our **OpenTelemetry** collector now ships with sensible defaults, so "
            "most teams need zero config.",
            "Tip: `lumen query --since 1h` shows the slowest endpoints of the last hour.",
            "Thanks to everyone who joined the community call this week! The recording is up.",
            "Dashboards now load in under a second, even with 500 panels.",
            "We're hiring SREs in Berlin, Lisbon and remote across Europe.",
            "The new _service map_ groups dependencies by team, not by hostname.",
            "Logs, metrics and traces finally share one timeline. No more tab juggling.",
            "Self-hosting? The Helm chart got a major cleanup and a migration guide.",
            "Small thing, big win: alert rules can now be tested against last week's data.",
            "Come say hi at our booth, we brought stickers and very strong coffee ☕",
            "Open source stays open source: the core is and will remain Apache-2.0.",
            "We wrote down everything we learned from running 2 billion spans a day.",
            "Flame graphs now diff two deploys side by side, so regressions jump out.",
            "Good news for Raspberry Pi fans: `lumen-agent` runs happily on 64 MB of RAM.",
        ),
        mentions=(
            "Huge thanks to {who} for the patch!",
            "{who} walks through the new sampling rules in today's livestream.",
            "Questions? Ask {who}, who built most of this.",
            "Shout-out to {who} and the docs team 🙌",
        ),
        more=("Read more: {url}", "All the details are in the [changelog]({url})."),
        list_intro="What's new:",
        list_items=(
            "`lumen-agent` 2.4 with ARM64 builds",
            "OTLP over HTTP on port 4318",
            "faster PromQL import",
            "dark mode for dashboards 🌙",
            "saved queries per team",
            "**50% less** memory in the collector",
        ),
        sponsored="Paid partnership with Northwind Cloud #ad",
        titles=(
            "Release notes",
            "Latency deep dive",
            "Community call recap",
            "Hiring SREs",
            "Helm chart cleanup",
            "Booth announcement",
            "Tip of the week",
        ),
        alts=(),  # English posts use each image's own description
    ),
    Language(
        code="de",
        weight=15,
        sentences=(
            "Lumen 2.4 ist da: schnellere Trace-Aufnahme, ruhigere Alarme und ein "
            "neuer Abfrage-Editor. ✨",
            "Wir haben die p99-Latenz beim Einlesen um 38 % gesenkt – dank "
            "gebündelter Spans vor der Komprimierung.",
            "Der **OpenTelemetry**-Collector läuft jetzt mit vernünftigen "
            "Voreinstellungen, fast ohne Konfiguration.",
            "Tipp: `lumen query --since 1h` zeigt die langsamsten Endpunkte der letzten Stunde.",
            "Danke an alle, die beim Community-Call dabei waren! Die Aufzeichnung ist online.",
            "Dashboards laden jetzt in unter einer Sekunde, auch mit 500 Panels.",
            "Wir suchen SREs in Berlin, Lissabon und remote in ganz Europa. Grüße aus Köln! 👋",
            "Die neue _Service-Map_ gruppiert Abhängigkeiten nach Team statt nach Hostname.",
            "Logs, Metriken und Traces teilen sich endlich eine Zeitleiste. Schluss "
            "mit Tab-Jonglage.",
            "Übrigens: Das Helm-Chart wurde gründlich aufgeräumt, inklusive Migrationsleitfaden.",
            "Flammengraphen vergleichen jetzt zwei Deployments nebeneinander. 🔥",
        ),
        mentions=(
            "Großer Dank an {who} für den Patch!",
            "{who} erklärt heute im Livestream die neuen Sampling-Regeln.",
            "Fragen? {who} hat das meiste davon gebaut und hilft gern weiter.",
        ),
        more=("Mehr dazu: {url}", "Alle Details im [Changelog]({url})."),
        list_intro="Neu in dieser Version:",
        list_items=(
            "`lumen-agent` 2.4 mit ARM64-Builds",
            "OTLP über HTTP auf Port 4318",
            "schnellerer PromQL-Import",
            "Dunkelmodus für Dashboards 🌙",
            "gespeicherte Abfragen pro Team",
        ),
        sponsored="Bezahlte Partnerschaft mit Northwind Cloud #ad",
        titles=("Versionshinweise", "Latenz im Detail", "Rückblick Community-Call"),
        alts=(
            "Bildschirmfoto des Lumen-Dashboards mit drei Latenzdiagrammen",
            "Das Team vor dem Messestand, alle winken in die Kamera",
            "Diagramm: p99-Latenz fällt nach dem Update deutlich ab",
            "Banner mit dem Text „Lumen 2.4 ist da“ auf dunkelblauem Grund",
        ),
    ),
    Language(
        code="fr",
        weight=10,
        sentences=(
            "Lumen 2.4 est disponible\u202f: ingestion des traces plus rapide, "
            "alertes plus sereines et un tout nouvel éditeur de requêtes. ✨",
            "Nous avons réduit la latence p99 d’ingestion de 38\u202f% en regroupant "
            "les spans avant la compression.",
            "Le collecteur **OpenTelemetry** est désormais livré avec des réglages "
            "par défaut raisonnables.",
            "Astuce\u202f: `lumen query --since 1h` affiche les points d’accès les "
            "plus lents de la dernière heure.",
            "Merci à toutes et à tous pour l’appel communautaire de cette "
            "semaine\u202f! L’enregistrement est en ligne.",
            "Les tableaux de bord s’affichent en moins d’une seconde, même avec 500 panneaux.",
            "Nous recrutons des SRE à Berlin, Lisbonne et en télétravail partout en Europe.",
            "La nouvelle _carte des services_ regroupe les dépendances par équipe, "
            "pas par nom d’hôte.",
            "Journaux, métriques et traces partagent enfin la même chronologie.",
            "Rendez-vous à notre stand\u202f: autocollants, café serré et démos en direct. ☕",
        ),
        mentions=(
            "Un grand merci à {who} pour le correctif\u202f!",
            "{who} présente aujourd’hui en direct les nouvelles règles d’échantillonnage.",
            "Des questions\u202f? Demandez à {who}.",
        ),
        more=(
            "En savoir plus\u202f: {url}",
            "Tous les détails dans le [journal des modifications]({url}).",
        ),
        list_intro="Au programme\u202f:",
        list_items=(
            "`lumen-agent` 2.4 pour ARM64",
            "OTLP sur HTTP, port 4318",
            "import PromQL plus rapide",
            "mode sombre pour les tableaux de bord 🌙",
        ),
        sponsored="Partenariat rémunéré avec Northwind Cloud #ad",
        titles=("Notes de version", "Plongée dans la latence", "Appel communautaire"),
        alts=(
            "Capture d’écran du tableau de bord Lumen avec trois graphiques de latence",
            "L’équipe devant le stand, tout le monde sourit",
            "Graphique\u202f: la latence p99 chute nettement après la mise à jour",
        ),
    ),
    Language(
        code="es",
        weight=10,
        sentences=(
            "¡Lumen 2.4 ya está aquí! Ingesta de trazas más rápida, alertas más "
            "tranquilas y un nuevo editor de consultas. ✨",
            "Redujimos la latencia p99 de ingesta un 38 % agrupando los spans antes "
            "de comprimirlos.",
            "El recolector de **OpenTelemetry** ahora trae valores predeterminados sensatos.",
            "Consejo: `lumen query --since 1h` muestra los endpoints más lentos de la última hora.",
            "¡Gracias a todas las personas que vinieron a la llamada de la "
            "comunidad! La grabación ya está disponible.",
            "Los paneles cargan en menos de un segundo, incluso con 500 gráficos.",
            "Buscamos SRE en Berlín, Lisboa y en remoto desde toda Europa. 🇪🇸🇩🇪🇵🇹",
            "El nuevo _mapa de servicios_ agrupa las dependencias por equipo, no "
            "por nombre de host.",
            "¿Usas la versión autoalojada? El chart de Helm recibió una limpieza a "
            "fondo y una guía de migración.",
        ),
        mentions=(
            "¡Muchas gracias a {who} por el parche!",
            "Hoy {who} explica en directo las nuevas reglas de muestreo.",
            "¿Dudas? Pregúntale a {who}.",
        ),
        more=("Más información: {url}", "Todos los detalles en el [registro]({url})."),
        list_intro="Novedades:",
        list_items=(
            "`lumen-agent` 2.4 para ARM64",
            "OTLP por HTTP en el puerto 4318",
            "importación de PromQL más rápida",
            "modo oscuro para los paneles 🌙",
        ),
        sponsored="Colaboración pagada con Northwind Cloud #ad",
        titles=("Notas de la versión", "Latencia a fondo", "Llamada de la comunidad"),
        alts=(
            "Captura de pantalla del panel de Lumen con tres gráficos de latencia",
            "El equipo frente al stand, saludando a la cámara",
            "Gráfico: la latencia p99 baja claramente tras la actualización",
        ),
    ),
    Language(
        code="pt",
        weight=5,
        sentences=(
            "O Lumen 2.4 chegou: ingestão de traces mais rápida, alertas mais "
            "calmos e um novo editor de consultas. ✨",
            "Reduzimos a latência p99 de ingestão em 38% agrupando spans antes da compressão.",
            "Obrigado a todos que participaram da chamada da comunidade! A gravação já está no ar.",
            "Os painéis agora carregam em menos de um segundo, mesmo com 500 gráficos.",
            "Estamos contratando SREs em Berlim, Lisboa e remoto em toda a Europa.",
            "Logs, métricas e traces finalmente compartilham a mesma linha do tempo.",
            "Dica: `lumen query --since 1h` mostra os endpoints mais lentos da última hora.",
        ),
        mentions=(
            "Muito obrigado a {who} pelo patch!",
            "{who} apresenta hoje, ao vivo, as novas regras de amostragem.",
        ),
        more=("Saiba mais: {url}",),
        list_intro="Novidades:",
        list_items=(
            "`lumen-agent` 2.4 para ARM64",
            "OTLP via HTTP na porta 4318",
            "modo escuro nos painéis 🌙",
        ),
        sponsored="Parceria paga com a Northwind Cloud #ad",
        titles=("Notas de versão", "Latência em detalhe"),
        alts=(
            "Captura de tela do painel do Lumen com três gráficos de latência",
            "A equipe em frente ao estande, acenando para a câmera",
        ),
    ),
    Language(
        code="ja",
        weight=6,
        sentences=(
            "Lumen 2.4 をリリースしました！トレースの取り込みが速くなり、新しい"
            "クエリエディタも追加されました。✨",
            "スパンを圧縮前にまとめることで、取り込みの p99 レイテンシを 38% 削減しました。",
            "**OpenTelemetry** コレクターは、ほぼ設定なしで使えるようになりました。",
            "ヒント：`lumen query --since 1h` で直近 1 時間の遅いエンドポイントがわかります。",
            "今週のコミュニティコールに参加してくださった皆さん、ありがとうございました！",
            "ダッシュボードは 500 パネルあっても 1 秒以内に表示されます。",
            "ベルリン、リスボン、ヨーロッパ全域のリモートで SRE を募集中です。🇯🇵",
            "ログ・メトリクス・トレースがひとつのタイムラインにまとまりました。",
            "ブースでお待ちしています。ステッカーとコーヒーを用意しました ☕",
        ),
        mentions=(
            "パッチを送ってくれた {who} さん、ありがとう！",
            "本日のライブ配信では {who} さんが新しいサンプリングルールを解説します。",
        ),
        more=("詳しくはこちら：{url}",),
        list_intro="主な変更点：",
        list_items=(
            "`lumen-agent` 2.4（ARM64 対応）",
            "HTTP 経由の OTLP（ポート 4318）",
            "ダッシュボードのダークモード 🌙",
        ),
        sponsored="Northwind Cloud との有料パートナーシップ #ad",
        titles=("リリースノート", "レイテンシ徹底解説", "コミュニティコールまとめ"),
        alts=(
            "Lumen のダッシュボードのスクリーンショット。"
            "3 つのレイテンシグラフが表示されています。",
            "ブースの前で手を振るチームの写真",
            "アップデート後に p99 レイテンシが下がったことを示すグラフ",
        ),
    ),
    Language(
        code="zh",
        weight=5,
        sentences=(
            "Lumen 2.4 正式发布！更快的链路追踪数据摄取、更安静的告警，以及全新的查询编辑器。✨",
            "通过在压缩前批量合并 span，我们将 p99 摄取延迟降低了 38%。",
            "**OpenTelemetry** 采集器现在自带合理的默认配置，大多数团队无需任何设置。",
            "小技巧：`lumen query --since 1h` 可以列出最近一小时最慢的接口。",
            "感谢所有参加本周社区会议的朋友！录像已经上线。",
            "即使有 500 个面板，仪表盘也能在一秒内加载完成。",
            "日志、指标和链路追踪终于共享同一条时间线。",
            "我们正在柏林、里斯本以及欧洲远程招聘 SRE，欢迎投递！",
        ),
        mentions=(
            "感谢 {who} 提交的补丁！",
            "今天的直播中，{who} 将讲解新的采样规则。",
        ),
        more=("了解更多：{url}",),
        list_intro="本次更新：",
        list_items=(
            "`lumen-agent` 2.4 支持 ARM64",
            "通过 HTTP 的 OTLP（端口 4318）",
            "仪表盘深色模式 🌙",
        ),
        sponsored="与 Northwind Cloud 的付费合作 #ad",
        titles=("版本说明", "延迟深度解析", "社区会议回顾"),
        alts=(
            "Lumen 仪表盘截图，显示三张延迟图表",
            "团队在展位前向镜头挥手",
            "图表：更新后 p99 延迟明显下降",
        ),
    ),
    Language(
        code="ar",
        weight=4,
        sentences=(
            "صدر الإصدار Lumen 2.4: استيعاب أسرع للتتبعات، وتنبيهات أهدأ، ومحرر "
            "استعلامات جديد كليًا. ✨",
            "خفّضنا زمن الاستيعاب p99 بنسبة 38٪ عبر تجميع الـ spans قبل الضغط.",
            "شكرًا لكل من انضم إلى مكالمة المجتمع هذا الأسبوع! التسجيل متاح الآن.",
            "تُحمَّل لوحات المعلومات الآن في أقل من ثانية، حتى مع 500 لوحة.",
            "نبحث عن مهندسي SRE في برلين ولشبونة وعن بُعد في جميع أنحاء أوروبا.",
            "السجلات والمقاييس والتتبعات أصبحت أخيرًا على خط زمني واحد.",
            "نصيحة: الأمر `lumen query --since 1h` يعرض أبطأ نقاط النهاية خلال الساعة الأخيرة.",
        ),
        mentions=(
            "شكر كبير لـ {who} على هذا التصحيح!",
            "يشرح {who} اليوم قواعد أخذ العينات الجديدة في بث مباشر.",
        ),
        more=("اقرأ المزيد: {url}",),
        list_intro="الجديد في هذا الإصدار:",
        list_items=(
            "`lumen-agent` 2.4 لمعمارية ARM64",
            "بروتوكول OTLP عبر HTTP على المنفذ 4318",
            "الوضع الداكن للوحات المعلومات 🌙",
        ),
        sponsored="شراكة مدفوعة مع Northwind Cloud #ad",
        titles=("ملاحظات الإصدار", "نظرة معمقة على زمن الاستجابة"),
        alts=(
            "لقطة شاشة للوحة معلومات Lumen تعرض ثلاثة مخططات لزمن الاستجابة",
            "الفريق أمام الجناح يلوّح للكاميرا",
        ),
    ),
)

EMOJI = (
    "🚀",
    "✨",
    "📈",
    "🎉",
    "👩‍💻",
    "👨‍💻",
    "🧑‍🚀",
    "👩🏽‍🔬",
    "🏳️‍🌈",
    "🧑🏿‍🤝‍🧑🏻",
    "❤️",
    "🔥",
    "🇪🇺",
    "🇩🇪",
    "1️⃣",
    "👨‍👩‍👧‍👦",
    "🐛",
    "🛠️",
    "🙌🏾",
    "🫶",
)

# slug used in ids and links, tags that fit the topic
TOPICS = (
    ("release-notes", ("release", "opensource", "observability")),
    ("latency-deep-dive", ("performance", "tracing", "sre")),
    ("community-call", ("community", "opensource", "livestream")),
    ("hiring", ("hiring", "sre", "remotework")),
    ("helm-chart", ("kubernetes", "helm", "cloudnative")),
    ("booth", ("conference", "community", "devrel")),
    ("tip-of-the-week", ("tips", "observability", "devops")),
    ("otel-collector", ("opentelemetry", "tracing", "metrics")),
    ("flame-graphs", ("profiling", "performance", "golang")),
    ("python-sdk", ("python", "opentelemetry", "sdk")),
)

MEDIA = (
    (
        "dashboard-overview",
        1200,
        675,
        "Screenshot of the Lumen dashboard with three latency charts",
    ),
    ("latency-chart", 960, 540, "Line chart: p99 ingest latency drops from 210 ms to 130 ms"),
    ("service-map", 800, 800, "Service map with twelve services grouped into four teams"),
    ("query-editor", 1280, 720, "The new query editor with autocompletion open"),
    ("alert-inbox", 1024, 576, "Alert inbox showing two open alerts and forty resolved ones"),
    ("team-berlin", 1080, 1080, "The Lumen Labs team in the Berlin office, waving"),
    (
        "booth-kubecon",
        1200,
        800,
        "Our conference booth with a big Lumen banner and a sticker table",
    ),
    ("release-banner", 1500, 500, "Banner reading 'Lumen 2.4 is here' on a dark blue background"),
    ("trace-waterfall", 1280, 640, "Trace waterfall of a checkout request across six services"),
    ("helm-upgrade", 900, 500, "Terminal output of a successful helm upgrade"),
    ("dark-mode", 1200, 675, "The dashboard in dark mode with a moon icon in the corner"),
    (
        "sampling-rules",
        1000,
        600,
        "Table of sampling rules: errors 100%, slow requests 50%, rest 5%",
    ),
    ("community-call", 1280, 720, "Video call grid with sixteen community members"),
    ("hiring-banner", 1200, 628, "Banner: We're hiring SREs in Berlin, Lisbon and remote"),
    ("logs-timeline", 1400, 700, "Logs, metrics and traces aligned on one shared timeline"),
    ("flamegraph", 1600, 600, "Flame graph comparing two deploys, the regression in red"),
    (
        "architecture",
        1000,
        1000,
        "Architecture diagram: agents, collector, storage and query layer",
    ),
    ("sticker-sheet", 800, 600, "A sheet of round Lumen stickers in five colours"),
    ("roadmap", 1200, 900, "Roadmap with three columns: now, next and later"),
    (
        "benchmark-results",
        1100,
        620,
        "Bar chart of ingest throughput for versions 2.2, 2.3 and 2.4",
    ),
)

# ---------------------------------------------------------------------------
# Helpers

# Starts with a letter; ':' only when a non-space follows (so URLs stay plain).
_PLAIN_SAFE = re.compile(r"[A-Za-z](?:[A-Za-z0-9 _.,/()'-]|:(?=[^\s]))*[A-Za-z0-9.)]|[A-Za-z]")
_WIDE = re.compile(r"[^\u0000-\u10ff\u2000-\u200d]")  # characters X counts twice
_YAML_WORDS = {"y", "n", "yes", "no", "true", "false", "on", "off", "null"}


def yaml_str(value: str) -> str:
    """A YAML scalar for value: plain where unambiguous, else double-quoted."""
    if _PLAIN_SAFE.fullmatch(value) and value.lower() not in _YAML_WORDS:
        return value
    # A JSON string is a valid YAML double-quoted scalar.
    return json.dumps(value, ensure_ascii=False)


def x_weight(text: str) -> int:
    """An upper bound of X's weighted length (twitter-text v3, URLs not shortened)."""
    return len(text) + len(_WIDE.findall(text))


_BANK_WEIGHTS: dict[str, int] = {}


def _bank_weight(sentence: str) -> int:
    """x_weight of a sentence from the banks above, memoized."""
    weight = _BANK_WEIGHTS.get(sentence)
    if weight is None:
        weight = _BANK_WEIGHTS[sentence] = x_weight(sentence)
    return weight


def png_bytes(width: int, height: int, rows: Sequence[bytes]) -> bytes:
    """A truecolour PNG; rows are width*3 bytes of RGB each."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    raw = b"".join(b"\x00" + row for row in rows)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 6))
        + chunk(b"IEND", b"")
    )


def make_image(index: int, width: int, height: int) -> bytes:
    """A small "chart": horizontal colour gradient, bands and a few bars."""
    base = (40 + index * 53) % 256, (90 + index * 29) % 256, (150 + index * 71) % 256
    gradient = bytearray()
    for x in range(width):
        shade = x * 255 // max(width - 1, 1)
        gradient += bytes(((base[0] + shade) // 2, base[1], (base[2] + 255 - shade) // 2))
    bands = 8
    band_rows: list[bytes] = []
    for band in range(bands):
        row = bytearray(gradient)
        bar_height = (band * 7 + index * 3) % bands
        for bar in range(6):
            if (bar * 5 + index) % bands >= bar_height:
                start = (bar * 2 + 1) * width // 13
                end = (bar * 2 + 2) * width // 13
                row[start * 3 : end * 3] = b"\xf0\xf0\xf0" * (end - start)
        band_rows.append(bytes(row))
    rows = [band_rows[y * bands // height] for y in range(height)]
    return png_bytes(width, height, rows)


def channel_names(count: int) -> list[str]:
    """mastodon, bluesky, ... then mastodon-2, bluesky-2, ... for count > 10."""
    names = []
    for i in range(count):
        kind = CHANNEL_TYPES[i % len(CHANNEL_TYPES)]
        cycle = i // len(CHANNEL_TYPES) + 1
        names.append(kind if cycle == 1 else f"{kind}-{cycle}")
    return names


def channel_type(name: str) -> str:
    return name.split("-", 1)[0]


def _channel_config(name: str) -> dict[str, str]:
    config = dict(CHANNEL_CONFIG[channel_type(name)])
    if "-" in name:  # a second account of the same network
        n = name.split("-", 1)[1]
        for key, value in config.items():
            if key.endswith("_env"):
                config[key] = f"{value}_{n}"
        if "path" in config:
            config["path"] = f"public/feed-{n}.xml"
        if "handle" in config:
            config["handle"] = f"lumenlabs{n}.example.com"
    return config


def render_channels_yaml(names: Sequence[str]) -> str:
    lines = [
        "# Generated by benchmarks/generate.py: channels, people and policy.",
        "# Secrets never go here: only the *names* of environment variables (`*_env`).",
        "",
        "defaults:",
        "  channels: all",
        "  utm:",
        '    utm_source: "{channel}"',
        "    utm_medium: social",
        '    utm_campaign: "{campaign}"',
        "",
        "channels:",
    ]
    for name in names:
        lines.append(f"  {name}:")
        for key, value in _channel_config(name).items():
            lines.append(f"    {key}: {yaml_str(value)}")
    lines += ["", "people:"]
    for person, handles in PEOPLE.items():
        lines.append(f"  {person}:")
        for name in names:
            lines.append(f"    {name}: {yaml_str(handles[channel_type(name)])}")
    lines.append("")
    return "\n".join(lines) + "\n" + POLICY_YAML


def render_calendar_yaml(names: Sequence[str]) -> str:
    lines = [
        "# Generated by benchmarks/generate.py. Times without an offset are in this time zone.",
        "timezone: Europe/Berlin",
        "",
        "slots:",
        '  default: ["Mon 09:00", "Wed 12:30", "Fri 16:00"]',
    ]
    if "linkedin" in names:
        lines.append('  linkedin: ["Tue 08:30", "Thu 08:30"]')
    start, end, reason = BLACKOUT
    lines += [
        "",
        "blackout:",
        f"  - {{from: {start}, to: {end}, reason: {reason}}}",
        "",
        "freeze: false",
        "max_lateness: 6h",
        "min_gap: 10m",
        "",
        "campaigns:",
    ]
    for c in CAMPAIGNS:
        tags = ", ".join(c.hashtags)
        lines.append(f"  {c.name}: {{from: {c.start}, to: {c.end}, hashtags: [{tags}]}}")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------
# Schedule


def publish_times(count: int, rng: Random) -> list[dt.datetime]:
    """count sorted naive local times, pairwise at least MIN_GAP_MINUTES apart.

    Times are drawn uniformly from the allowed minutes (a virtual timeline of
    the allowed windows of every non-blackout day, concatenated): sample
    count points in [0, total - (count - 1) * gap), sort them and shift the
    i-th by i * gap. Real gaps are never smaller than virtual ones.
    """
    days = []
    day = FIRST_DAY
    while day <= LAST_DAY:
        if not BLACKOUT[0] <= day <= BLACKOUT[1]:
            days.append(day)
        day += dt.timedelta(days=1)
    for windows in (DAYTIME_WINDOWS, FULL_WINDOWS):
        per_day = sum(end - start for start, end in windows)
        total = per_day * len(days)
        # Daytime only while it leaves plenty of room; all allowed hours beyond.
        slack = total - (count - 1) * MIN_GAP_MINUTES
        if slack >= total // 2 or (windows is FULL_WINDOWS and slack > 0):
            break
    else:
        capacity = total // MIN_GAP_MINUTES
        raise ValueError(f"at most about {capacity} posts fit {MIN_GAP_MINUTES} minutes apart")
    points = sorted(rng.randrange(slack) for _ in range(count))
    times = []
    for i, point in enumerate(points):
        virtual = point + i * MIN_GAP_MINUTES
        day_index, minute = divmod(virtual, per_day)
        for start, end in windows:
            if minute < end - start:
                minute += start
                break
            minute -= end - start
        moment = dt.datetime.combine(days[day_index], dt.time(minute // 60, minute % 60))
        times.append(moment)
    return times


# ---------------------------------------------------------------------------
# Posts


@dataclass
class Stats:
    posts: int = 0
    threads: int = 0
    with_media: int = 0
    sponsored: int = 0
    with_campaign: int = 0
    with_overrides: int = 0
    drafts: int = 0
    languages: dict[str, int] = field(default_factory=dict)


class PostWriter:
    def __init__(self, rng: Random, names: Sequence[str]) -> None:
        self.rng = rng
        self.names = list(names)
        self.lang_weights = [lang.weight for lang in LANGUAGES]

    # -- text ---------------------------------------------------------------

    def _url(self, slug: str, kind: str = "blog") -> str:
        return f"{SITE}/{kind}/{slug}-{self.rng.randrange(1, 400)}"

    def _sentence(
        self, lang: Language, mentions: list[str], used: set[str], budget: int = 10_000
    ) -> str:
        """A sentence not used yet in this post, at most budget by X's weighted count.

        Returns "" when nothing fits. An emoji may be appended (it stays in budget).
        """
        rng = self.rng
        budget -= 14  # room for " " and an emoji, e.g. a ZWJ sequence (up to 13)
        if mentions and rng.random() < 0.5:
            text = rng.choice(lang.mentions).format(who=mentions[-1])
            if x_weight(text) <= budget:
                mentions.pop()
                return self._emoji(text)
        if lang.code != "en" and rng.random() < 0.08:
            lang = LANGUAGES[0]  # a bit of English mixed in
        fitting = [s for s in lang.sentences if _bank_weight(s) <= budget]
        fresh = [s for s in fitting if s not in used]
        if not fitting:
            return ""
        text = rng.choice(fresh or fitting)
        used.add(text)
        return self._emoji(text)

    def _emoji(self, text: str) -> str:
        return f"{text} {self.rng.choice(EMOJI)}" if self.rng.random() < 0.2 else text

    def body(self, lang: Language, target: int, cap: int, lead: list[str], tail: str) -> str:
        """Paragraphs of at least target (and at most cap) characters."""
        rng = self.rng
        mentions = self._mentions()
        used: set[str] = set()
        paragraphs: list[str] = list(lead)
        current: list[str] = []
        has_list = False

        def text() -> str:
            return "\n\n".join(b for b in (*paragraphs, " ".join(current), tail) if b)

        while (length := len(text())) < max(target, 80):
            if not has_list and rng.random() < 0.07:  # a small Markdown list
                has_list = True
                count = min(len(lang.list_items), rng.randint(2, 3))
                items = "\n".join(f"- {item}" for item in rng.sample(lang.list_items, count))
                piece = f"{lang.list_intro}\n\n{items}"
            else:
                piece = self._sentence(lang, mentions, used)
            if length + len(piece) + 2 > cap and length >= 80:
                break
            if "\n" in piece:  # a list is a paragraph of its own
                if current:
                    paragraphs.append(" ".join(current))
                    current = []
                paragraphs.append(piece)
            else:
                current.append(piece)
                if len(current) >= rng.randint(1, 3):
                    paragraphs.append(" ".join(current))
                    current = []
        return text()

    def thread_parts(self, lang: Language, count: int, lead: list[str]) -> list[str]:
        """count parts, each at most THREAD_PART_MAX by X's weighted count."""
        rng = self.rng
        mentions = self._mentions()
        used: set[str] = set()
        parts = []
        for index in range(count):
            sentences = list(lead) if index == 0 else []
            weight = x_weight(" ".join(sentences))
            target = rng.randint(70, THREAD_PART_MAX - 20)
            while weight < target:
                budget = THREAD_PART_MAX - weight - (1 if sentences else 0)
                sentence = self._sentence(lang, mentions, used, budget)
                if not sentence:
                    break
                sentences.append(sentence)
                weight = x_weight(" ".join(sentences))
            parts.append(" ".join(sentences))
        return parts

    def _mentions(self) -> list[str]:
        count = self.rng.choices((0, 1, 2), (50, 35, 15))[0]
        return [f"@{p}" for p in self.rng.sample(sorted(PEOPLE), count)]

    # -- front matter -------------------------------------------------------

    def post(self, seq: int, width: int, when: dt.datetime, stats: Stats) -> tuple[str, str]:
        """(relative path, file text) of one post."""
        rng = self.rng
        lang = rng.choices(LANGUAGES, self.lang_weights)[0]
        slug, topic_tags = rng.choice(TOPICS)
        is_thread = rng.random() < 0.10
        post_id = f"{when:%Y-%m-%d}-{slug}-{seq:0{width}d}"
        fm: list[str] = [
            f"id: {post_id}",
            f"title: {yaml_str(rng.choice(lang.titles))}",
            f"publish_at: {when:%Y-%m-%d %H:%M}",
        ]

        # channels
        roll = rng.random()
        post_channels = self.names
        if roll < 0.15 and len(self.names) > 1:
            post_channels = sorted(
                rng.sample(self.names, rng.randint(1, len(self.names) - 1)),
                key=self.names.index,
            )
            fm.append(f"channels: [{', '.join(post_channels)}]")
        elif roll < 0.20:
            fm.append("channels: all")

        # hashtag budget: tags + campaign hashtags + "#ad" <= max_hashtags
        sponsored = rng.random() < 0.05
        campaign = None
        if not sponsored:
            running = [c for c in CAMPAIGNS if c.start <= when.date() <= c.end]
            if running and rng.random() < 0.6:
                campaign = running[0]
        budget = MAX_HASHTAGS - (1 if sponsored else 0)
        budget -= len(campaign.hashtags) if campaign else 0
        tag_count = min(budget, rng.choices((0, 1, 2, 3), (25, 30, 30, 15))[0])
        tags = rng.sample(topic_tags, tag_count)

        link_roll = rng.random()
        link = self._url(slug)
        if link_roll < 0.5 and not is_thread:  # a thread's link gets a part of its own
            fm.append(f"link: {link}")
        if tags:
            fm.append(f"tags: [{', '.join(tags)}]")

        has_media = rng.random() < 0.30
        if has_media:
            fm.append("media:")
            count = rng.choices((1, 2, 3), (70, 20, 10))[0]
            for name, _w, _h, description in rng.sample(MEDIA, count):
                alt = description if lang.code == "en" else rng.choice(lang.alts)
                fm.append(f"  - path: media/{name}.png")
                fm.append(f"    alt: {yaml_str(alt)}")
        if campaign:
            fm.append(f"campaign: {campaign.name}")
        fm.append(f"language: {lang.code}")
        if sponsored or rng.random() < 0.1:
            fm.append(f"sponsored: {'true' if sponsored else 'false'}")

        if is_thread:
            fm.append("thread: true")
        elif rng.random() < 0.05:
            fm.append("thread: auto")
        draft = rng.random() < 0.01
        if draft:
            fm.append("draft: true")

        lead = [lang.sponsored] if sponsored else []
        if is_thread:
            parts = self.thread_parts(lang, rng.randint(2, 5), lead)
            if link_roll < 0.7:
                parts.append(rng.choice(lang.more).format(url=link))
            body = "\n\n---\n\n".join(parts)
        else:
            tail = ""
            if 0.5 <= link_roll < 0.7 or link_roll < 0.15:  # 0-2 links in all
                tail = rng.choice(lang.more).format(url=self._url(slug, "docs"))
            # Mostly short posts, some long ones; captions with media stay
            # under Telegram's 1024.
            size = rng.choices(((80, 300), (300, 700), (700, 1200)), (60, 30, 10))[0]
            cap = 700 if has_media else 1200
            target = min(rng.randint(*size), cap - 100)
            body = self.body(lang, target, cap, lead, tail)

            if rng.random() < 0.10:
                overrides = self._overrides(lang, post_channels, sponsored, campaign)
                if overrides:
                    fm += overrides
                    stats.with_overrides += 1

        stats.posts += 1
        stats.threads += is_thread
        stats.with_media += has_media
        stats.sponsored += sponsored
        stats.with_campaign += campaign is not None
        stats.drafts += draft
        stats.languages[lang.code] = stats.languages.get(lang.code, 0) + 1

        path = f"content/{when:%Y}/{when:%m}/{post_id}.md"
        return path, "---\n" + "\n".join(fm) + "\n---\n" + body + "\n"

    def _overrides(
        self,
        lang: Language,
        post_channels: Sequence[str],
        sponsored: bool,
        campaign: Campaign | None,
    ) -> list[str]:
        rng = self.rng
        name = rng.choice(list(post_channels))
        kind = channel_type(name)
        lines = ["overrides:", f"  {name}:"]
        if kind == "linkedin":
            budget = MAX_HASHTAGS_LINKEDIN - (1 if sponsored else 0)
            budget -= len(campaign.hashtags) if campaign else 0
            pool = sorted({tag for _slug, tags in TOPICS for tag in tags})
            lines.append(f"    tags: [{', '.join(rng.sample(pool, max(budget, 0)))}]")
            return lines if budget > 0 else []
        if kind == "feed":
            lines.append(f"    link: {SITE}/news/{rng.randrange(1, 999)}")
            return lines
        # A short text for this channel: room left for the link, hashtags and
        # the "#ad" disclosure within X's 280 and Bluesky's 300.
        short = [s for s in lang.sentences if x_weight(s) <= OVERRIDE_TEXT_MAX - 12]
        text = rng.choice(short)
        extra = rng.choice(short)
        if x_weight(text) < 50 and x_weight(f"{text} {extra}") <= OVERRIDE_TEXT_MAX - 12:
            text = f"{text} {extra}"
        if sponsored:
            text += " #ad"
        lines.append(f"    text: {yaml_str(text + ' ' + rng.choice(EMOJI))}")
        return lines


# ---------------------------------------------------------------------------
# Project


@dataclass
class Result:
    root: Path
    channels: list[str]
    media: int
    seconds: float
    stats: Stats


def generate_project(
    root: Path | str,
    *,
    posts: int = 10_000,
    channels: int = 6,
    seed: int = 1,
) -> Result:
    """Write a complete smmgen project with posts posts and channels channels.

    root must be missing, empty, or a project this function generated before
    (then its content/ and media/ are replaced).
    """
    started = time.perf_counter()
    if posts < 1 or channels < 1:
        raise ValueError("posts and channels must be at least 1")
    root = Path(root)
    if root.exists() and any(root.iterdir()):
        if not (root / MARKER).exists():
            raise FileExistsError(f"{root} is not empty and was not made by this generator")
        for sub in ("content", "media"):
            shutil.rmtree(root / sub, ignore_errors=True)
    rng = Random(seed)
    names = channel_names(channels)
    times = publish_times(posts, rng)

    root.mkdir(parents=True, exist_ok=True)
    (root / MARKER).write_text(
        json.dumps({"posts": posts, "channels": channels, "seed": seed}) + "\n",
        encoding="utf-8",
    )
    (root / "channels.yaml").write_text(render_channels_yaml(names), encoding="utf-8")
    (root / "calendar.yaml").write_text(render_calendar_yaml(names), encoding="utf-8")

    media_dir = root / "media"
    media_dir.mkdir()
    for index, (name, width, height, _alt) in enumerate(MEDIA):
        # Real aspect ratios at a quarter of the size: small files, fast to write.
        (media_dir / f"{name}.png").write_bytes(make_image(index, width // 4, height // 4))

    writer = PostWriter(rng, names)
    stats = Stats()
    width = len(str(posts))
    made: set[Path] = set()
    for seq, when in enumerate(times, start=1):
        rel, text = writer.post(seq, width, when, stats)
        path = root / rel
        if path.parent not in made:
            path.parent.mkdir(parents=True, exist_ok=True)
            made.add(path.parent)
        path.write_text(text, encoding="utf-8")
    return Result(root, names, len(MEDIA), time.perf_counter() - started, stats)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="generate.py",
        description="Write a large, valid smmgen project (for benchmarks) into DIR.",
    )
    parser.add_argument("dir", metavar="DIR", type=Path, help="target directory")
    parser.add_argument("--posts", type=int, default=10_000, help="number of posts (10000)")
    parser.add_argument("--channels", type=int, default=6, help="number of channels (6)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (1)")
    args = parser.parse_args(argv)
    try:
        result = generate_project(
            args.dir, posts=args.posts, channels=args.channels, seed=args.seed
        )
    except (ValueError, FileExistsError) as exc:
        parser.exit(2, f"generate.py: error: {exc}\n")
    s = result.stats
    langs = ", ".join(f"{code} {n}" for code, n in sorted(s.languages.items()))
    print(
        f"wrote {s.posts} posts x {len(result.channels)} channels "
        f"({', '.join(result.channels)}) and {result.media} images "
        f"to {result.root} in {result.seconds:.2f} s\n"
        f"  threads {s.threads}, with media {s.with_media}, sponsored {s.sponsored}, "
        f"campaign {s.with_campaign}, overrides {s.with_overrides}, drafts {s.drafts}\n"
        f"  languages: {langs}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
