"""Site chrome: the parts of a page around the content a parser must read.

Every HTML page is wrapped in its site's chrome: ``<head>`` with meta/link tags,
inline CSS and JSON-LD, a nav menu, a cookie banner, a long footer and script
blocks. Chrome deliberately carries *decoys*: JSON blobs and a "related roles"
widget with other occupations' scores, an HTML comment with an old score of this
page and a hidden (``display:none``) block with a stale headline. Static pieces are
built once per site from a fixed seed; each page picks among them.
"""

from __future__ import annotations

import base64
import json
import random
import zlib
from dataclasses import dataclass
from functools import lru_cache

from benchmarks.pagegen_content import (
    Occupation,
    by_industry,
    fmt_num,
    occupations,
    pick,
    rint,
    rsample,
    slugify,
)
from benchmarks.pagegen_markup import HtmlMarkup, esc, esc_attr


@dataclass(frozen=True, slots=True)
class Site:
    host: str
    brand: str
    url: str  # format string with {slug} and {plural_slug}
    nav: tuple[str, ...]


SITES: dict[str, Site] = {
    "resilience_profile": Site(
        "www.resilienceprofile.io",
        "Resilience Profile",
        "https://www.resilienceprofile.io/roles/{slug}",
        ("Roles", "Industries", "Methodology", "Personal score", "For teams", "Blog"),
    ),
    "jobisque": Site(
        "jobisque.com",
        "Jobisque",
        "https://jobisque.com/blog/will-ai-replace-{plural_slug}",
        ("AI Audit", "Services", "Case Studies", "Blog", "Careers", "Contact"),
    ),
    "impact_report": Site(
        "aiimpactreport.org",
        "AI Impact Report",
        "https://aiimpactreport.org/occupations/{slug}",
        ("Occupations", "Industries", "Reports", "Resume Checker", "About"),
    ),
    "ai_safe_careers": Site(
        "aisafecareers.com",
        "AI Safe Careers",
        "https://aisafecareers.com/careers/{slug}",
        ("Safe Careers", "AI Risk Checker", "Resume Optimizer", "Guides", "Pricing"),
    ),
    "career_guide": Site(
        "careerpathguide.co",
        "CareerPath Guide",
        "https://careerpathguide.co/careers/{slug}",
        ("Careers", "Salaries", "Compare", "Quizzes", "Countries", "About"),
    ),
}

GENERIC_SITES: tuple[Site, ...] = tuple(
    Site(host, brand, f"https://{host}{path}", ("Home", "Topics", "Newsletter", "About"))
    for host, brand, path in (
        ("futureofwork-weekly.net", "Future of Work Weekly", "/jobs/{slug}-ai-risk"),
        ("automationwatch.news", "Automation Watch", "/will-ai-replace-{plural_slug}"),
        ("jobradar.ai", "JobRadar", "/occupation/{slug}"),
        ("careershift.today", "CareerShift Today", "/ai-and-{plural_slug}"),
        ("worklens.io", "WorkLens", "/roles/{slug}/automation"),
        ("humanedge.careers", "HumanEdge Careers", "/{slug}"),
        ("techtidings.blog", "Tech Tidings", "/2026/will-ai-replace-{plural_slug}"),
        ("skillpivot.net", "SkillPivot", "/careers/{slug}/ai-exposure"),
        ("nextdecadejobs.com", "Next Decade Jobs", "/job/{slug}"),
        ("laborlens.org", "LaborLens", "/occupations/{slug}/ai"),
        ("careeroutlook.blog", "Career Outlook Blog", "/posts/ai-risk-{slug}"),
        ("thefutureworker.com", "The Future Worker", "/guides/{plural_slug}-and-ai"),
    )
)

_B64 = base64.b64encode(random.Random(7).randbytes(60000)).decode("ascii")


@lru_cache(maxsize=65536)
def canonical_url(site: Site, occ: Occupation) -> str:
    return site.url.format(slug=occ.slug, plural_slug=slugify(occ.plural))


# --------------------------------------------------------------------------- static pieces


def _seed_of(host: str, what: str) -> int:
    return zlib.crc32(f"{host}:{what}".encode())


def _cls(r: random.Random) -> str:
    return "c" + format(r.getrandbits(30), "x")


_PROPS = (
    "display:flex",
    "display:grid",
    "display:block",
    "align-items:center",
    "justify-content:space-between",
    "gap:{n}px",
    "padding:{n}px {m}px",
    "margin:0 auto",
    "margin-top:{n}px",
    "max-width:{w}px",
    "font-size:{f}rem",
    "line-height:1.{n}",
    "font-weight:{fw}",
    "color:#{c}",
    "background:#{c}",
    "border:1px solid #{c}",
    "border-radius:{n}px",
    "box-shadow:0 {n}px {m}px rgba(0,0,0,.{n})",
    "transition:all .{n}s ease",
    "position:relative",
    "overflow:hidden",
    "text-decoration:none",
    "letter-spacing:-0.0{n}em",
    "grid-template-columns:repeat({k},minmax(0,1fr))",
    "z-index:{k}0",
)


_WIDTHS = (640, 720, 960, 1120, 1280)
_FONT_SIZES = ("0.875", "1", "1.125", "1.25", "1.5", "2.25")
_WEIGHTS = (400, 500, 600, 700)
_PSEUDO = (":hover", " > a", " li", "::after", ":focus-visible")


def _css(r: random.Random, n_rules: int) -> str:
    """A site stylesheet of ``n_rules`` rules over meaningless class names."""
    rnd = r.random
    bits = r.getrandbits
    out = [f":root{{--brand:#{bits(24):06x};--ink:#1f2937;--muted:#6b7280}}"]
    out.append(
        "*,*::before,*::after{box-sizing:border-box}"
        "body{margin:0;font-family:Inter,system-ui,sans-serif}"
    )
    for _ in range(n_rules):
        props = ";".join(
            p.format(
                n=1 + int(rnd() * 9),
                m=8 + int(rnd() * 25),
                w=pick(r, _WIDTHS),
                f=pick(r, _FONT_SIZES),
                fw=pick(r, _WEIGHTS),
                c=f"{bits(24):06x}",
                k=1 + int(rnd() * 4),
            )
            for p in rsample(r, _PROPS, 2 + int(rnd() * 5))
        )
        sel = "." + _cls(r)
        if rnd() < 0.3:
            sel += pick(r, _PSEUDO)
        out.append(f"{sel}{{{props}}}")
        if rnd() < 0.08:
            out.append(f"@media (min-width:{pick(r, (640, 768, 1024))}px){{.{_cls(r)}{{{props}}}}}")
    return "".join(out)


_COOKIE_TEXT = (
    "We use cookies to improve your experience, analyse traffic and personalise content. "
    "You can change your preferences at any time.",
    "This site uses cookies and similar technologies for analytics and to remember your "
    "settings. By clicking Accept you agree to our use of cookies.",
    "We and our partners store and access information on your device to measure audiences "
    "and improve our services.",
)

_FOOTER_HEADS = ("Company", "Resources", "Popular roles", "Industries", "Legal", "Tools", "Support")
_FOOTER_MISC = (
    "About us",
    "Careers",
    "Press",
    "Contact",
    "Privacy policy",
    "Terms of use",
    "Cookie settings",
    "Accessibility",
    "Sitemap",
    "Methodology",
    "Editorial standards",
    "Partners",
    "Newsletter",
    "Help centre",
    "Status",
    "Affiliate program",
    "Do not sell my info",
    "Advertise",
)


def _footer(r: random.Random, site: Site) -> str:
    occs = occupations()
    cols = []
    for head in r.sample(_FOOTER_HEADS, r.randint(4, 6)):
        if head == "Popular roles":
            links = [o.title for o in r.sample(occs, r.randint(14, 26))]
        elif head == "Industries":
            links = r.sample(
                (
                    "Technology",
                    "Healthcare",
                    "Finance",
                    "Legal",
                    "Education",
                    "Manufacturing",
                    "Construction",
                    "Retail",
                    "Hospitality",
                    "Media",
                    "Government",
                    "Energy",
                    "Agriculture",
                ),
                r.randint(6, 12),
            )
        else:
            links = r.sample(_FOOTER_MISC, r.randint(5, 10))
        lis = "".join(
            f'<li><a href="/{slugify(x)}" class="{_cls(r)}">{esc(x)}</a></li>' for x in links
        )
        cols.append(f'<div class="{_cls(r)}"><h4>{head}</h4><ul>{lis}</ul></div>')
    year = "2026"
    return (
        f'<footer class="{_cls(r)}" role="contentinfo"><div class="{_cls(r)}">'
        + "\n".join(cols)
        + f'</div><p class="{_cls(r)}">© {year} {esc(site.brand)}. All rights reserved. '
        "Figures are indicative estimates for educational use only.</p>"
        f'<div class="{_cls(r)}"><a href="https://x.com/{slugify(site.brand)}" rel="me">X</a> '
        f'<a href="https://www.linkedin.com/company/{slugify(site.brand)}">LinkedIn</a> '
        f'<a href="/rss.xml">RSS</a></div></footer>'
    )


def _nav(r: random.Random, site: Site) -> str:
    occs = occupations()
    items = []
    for label in site.nav:
        if r.random() < 0.35:
            sub = "".join(
                f'<li><a href="/roles/{o.slug}">{esc(o.title)}</a></li>'
                for o in r.sample(occs, r.randint(8, 18))
            )
            items.append(
                f'<li class="{_cls(r)}"><button aria-expanded="false">{label}</button>'
                f'<ul class="{_cls(r)}" hidden>{sub}</ul></li>'
            )
        else:
            items.append(f'<li><a class="{_cls(r)}" href="/{slugify(label)}">{label}</a></li>')
    return (
        f'<header class="{_cls(r)}"><a class="{_cls(r)}" href="/" '
        f'aria-label="{esc_attr(site.brand)} home">'
        '<svg width="28" height="28" viewBox="0 0 28 28" aria-hidden="true"><circle cx="14" '
        'cy="14" r="12"/></svg>'
        f"<span>{esc(site.brand)}</span></a>"
        f'<nav aria-label="Main"><ul class="{_cls(r)}">{"".join(items)}</ul></nav>'
        '<form role="search" action="/search"><input type="search" name="q" placeholder="Search '
        'a job title" '
        f'aria-label="Search"></form>'
        f'<a class="{_cls(r)}" href="/signin">Sign in</a></header>'
    )


def _cookie(r: random.Random) -> str:
    return (
        f'<div id="cookie-banner" class="{_cls(r)}" role="dialog" aria-live="polite">'
        f"<p>{r.choice(_COOKIE_TEXT)}</p>"
        f'<button class="{_cls(r)}" data-consent="accept">Accept all</button>'
        f'<button class="{_cls(r)}" data-consent="reject">Reject non-essential</button>'
        f'<a href="/cookies">Manage preferences</a></div>'
    )


def _scripts(r: random.Random, site: Site) -> str:
    gid = "G-" + "".join(r.choices("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789", k=10))
    parts = [
        f'<script async src="https://www.googletagmanager.com/gtag/js?id={gid}"></script>',
        "<script>window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push(arguments)}"
        f"gtag('js',new Date());gtag('config','{gid}',{{anonymize_ip:true}});</script>",
    ]
    for _ in range(r.randint(2, 5)):
        h = format(r.getrandbits(40), "x")
        parts.append(
            f'<script src="/_assets/{r.choice(("app", "vendor", "chunk", "runtime"))}.{h}.js" '
            "defer></script>"
        )
    config = {
        "env": "production",
        "release": format(r.getrandbits(28), "x"),
        "features": {k: r.random() < 0.5 for k in ("newNav", "quizV2", "darkMode", "abScoreCard")},
        "consent": {
            "required": True,
            "vendors": r.sample(["ga4", "hotjar", "meta", "linkedin", "tiktok"], 3),
        },
    }
    parts.append(
        f"<script>window.__SITE_CONFIG__={json.dumps(config, separators=(',', ':'))};</script>"
    )
    if r.random() < 0.6:
        parts.append(
            "<script>(function(h,o,t,j,a,r){h.hj=h.hj||function(){"
            "(h.hj.q=h.hj.q||[]).push(arguments)};"
            f"h._hjSettings={{hjid:{r.randint(100000, 999999)},hjsv:6}};"
            "a=o.getElementsByTagName('head')[0];"
            "r=o.createElement('script');r.async=1;r.src=t+h._hjSettings.hjid+j;a.appendChild(r);"
            "})(window,document,'https://static.hotjar.com/c/hotjar-','.js?sv=');</script>"
        )
    return "\n".join(parts)


@dataclass(frozen=True, slots=True)
class SiteChrome:
    """Static chrome of one site, pre-encoded (UTF-8)."""

    css: tuple[bytes, ...]
    navs: tuple[bytes, ...]
    footers: tuple[bytes, ...]
    cookies: tuple[bytes, ...]
    scripts: tuple[bytes, ...]


@lru_cache(maxsize=64)
def site_chrome(host: str) -> SiteChrome:
    site = next((s for s in (*SITES.values(), *GENERIC_SITES) if s.host == host), None)
    if site is None:
        site = Site(host, host.split(".")[0].title(), f"https://{host}/{{slug}}", ("Home", "About"))
    r = random.Random(_seed_of(host, "chrome"))
    return SiteChrome(
        css=tuple(_css(r, r.randint(40, 110)).encode() for _ in range(3)),
        navs=tuple(_nav(r, site).encode() for _ in range(3)),
        footers=tuple(_footer(r, site).encode() for _ in range(3)),
        cookies=tuple(_cookie(r).encode() for _ in range(3)),
        scripts=tuple(_scripts(r, site).encode() for _ in range(3)),
    )


# --------------------------------------------------------------------------- per page


@dataclass(slots=True)
class Related:
    """Other occupations shown with their scores (visible decoys)."""

    html: str
    text: str
    decoys: list[str]
    entries: list[tuple[str, float]]


def related_widget(
    S: HtmlMarkup | None,
    rng: random.Random,
    occ: Occupation,
    heading: str,
    scale_max: float,
    *,
    form: str = "{v}/{m}",
    k: int | None = None,
) -> Related:
    """A list of other occupations with scores on this template's scale."""
    pool = by_industry().get(occ.industry) or occupations()
    n = k if k is not None else rint(rng, 3, 7)
    picks = []
    seen = {occ.title}
    for _ in range(n * 3):
        o = pick(rng, pool) if rng.random() < 0.75 else pick(rng, occupations())
        if o.title not in seen:
            seen.add(o.title)
            picks.append(o)
        if len(picks) == n:
            break
    entries = []
    decoys = []
    lines = []
    lis = []
    m = fmt_num(scale_max)
    for o in picks:
        v = float(rint(rng, 1, int(scale_max) - 1 if scale_max > 10 else int(scale_max)))
        entries.append((o.title, v))
        sc = form.format(v=fmt_num(v), m=m)
        decoys.append(f"{o.title} {sc}")
        lines.append(f"{o.title} {sc}")
        if S is not None:
            lis.append(
                f'<li class="{S.cn()}"><a href="/roles/{o.slug}">{esc(o.title)}</a> '
                f'<span class="{S.cn()}">{esc(sc)}</span></li>'
            )
    html = ""
    if S is not None:
        html = (
            f'<aside class="{S.cn()}" aria-label="{esc_attr(heading)}"><h2>{esc(heading)}</h2>'
            f'<ul class="{S.cn()}">' + "".join(lis) + "</ul></aside>"
        )
    return Related(html, "\n".join([heading, *lines]), decoys, entries)


def state_script(rng: random.Random, occ: Occupation, scale_max: float, route: str) -> str:
    """An inline JSON state blob naming OTHER occupations with their scores."""
    occs = occupations()
    others = []
    for _ in range(rint(rng, 3, 8)):
        o = pick(rng, occs)
        if o.title == occ.title:
            continue
        others.append(
            {
                "title": o.title,
                "slug": o.slug,
                "score": rint(rng, 1, int(scale_max)),
                "scale": int(scale_max),
                "views": rint(rng, 120, 98000),
            }
        )
    blob = {
        "route": route,
        "locale": "en-US",
        "trending": others[: len(others) // 2],
        "recentlyViewed": others[len(others) // 2 :],
        "experiments": {"scoreCard": pick(rng, ("A", "B")), "cta": pick(rng, ("quiz", "audit"))},
    }
    text = _JSON.encode(blob)
    if rng.random() < 0.5:
        return f'<script id="__NEXT_DATA__" type="application/json">{text}</script>'
    return f"<script>window.__INITIAL_STATE__={text};</script>"


_JSON = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)
_COOKIE_NONE = b""


def wrap_html(
    *,
    rng: random.Random,
    site: Site,
    title: str,
    description: str,
    canonical: str,
    body: str,
    lang: str = "en",
    json_ld: dict | None = None,
    extra_head: str = "",
    pre_main: str = "",
    post_main: str = "",
    target_bytes: int | None = None,
) -> bytes:
    """Wrap content in the site's chrome (UTF-8), padded with asset data to ``target_bytes``."""
    ch = site_chrome(site.host)
    css = ch.css[int(rng.random() * 3)]
    nav = ch.navs[int(rng.random() * 3)]
    footer = ch.footers[int(rng.random() * 3)]
    cookie = ch.cookies[int(rng.random() * 3)] if rng.random() < 0.85 else _COOKIE_NONE
    scripts = ch.scripts[int(rng.random() * 3)]
    metas = [
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<meta name="description" content="{esc_attr(description)}">',
        f'<meta property="og:title" content="{esc_attr(title)}">',
        f'<meta property="og:url" content="{canonical}">',
        '<meta property="og:type" content="article">',
        f'<meta property="og:site_name" content="{esc_attr(site.brand)}">',
        '<meta name="twitter:card" content="summary_large_image">',
        '<meta name="robots" content="index,follow,max-image-preview:large">',
    ]
    if rng.random() < 0.5:
        metas.reverse()
    links = [
        f'<link rel="canonical" href="{canonical}">',
        '<link rel="preconnect" href="https://fonts.gstatic.com" crossorigin>',
        f'<link rel="icon" href="/favicon.{pick(rng, ("ico", "png", "svg"))}">',
        f'<link rel="stylesheet" href="/_assets/main.{rng.getrandbits(32):x}.css">',
        '<link rel="manifest" href="/site.webmanifest">',
    ]
    for code in rsample(rng, _HREFLANGS, int(rng.random() * 6)):
        links.append(f'<link rel="alternate" hreflang="{code}" href="{canonical}?hl={code}">')
    ld = ""
    if json_ld:
        ld = f'<script type="application/ld+json">{_JSON.encode(json_ld)}</script>'
    head = (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n'
        + "\n".join(metas)
        + f"\n<title>{esc(title)}</title>\n"
        + "\n".join(links)
        + f"\n{ld}{extra_head}\n<style>"
    ).encode()
    body_open = (
        f'</style>\n</head>\n<body class="{_cls(rng)}">\n'
        f'<a class="{_cls(rng)}" href="#main">Skip to main content</a>\n'
    ).encode()
    main_open = f'\n{pre_main}<main id="main">\n'.encode()
    body_b = body.encode()
    main_close = f"\n</main>\n{post_main}\n".encode()
    parts = [
        head,
        css,
        b"",  # font filler
        body_open,
        b"",  # svg filler
        cookie,
        b"\n",
        nav,
        main_open,
        body_b,
        main_close,
        footer,
        b"\n",
        scripts,
        b"\n</body>\n</html>\n",
    ]
    if target_bytes:
        need = target_bytes - sum(map(len, parts))
        if need > 200:
            filler = _filler(rng, need)
            parts[2 if filler.startswith("@") else 4] = filler.encode()
    return b"".join(parts)


_HREFLANGS = ("de", "fr", "es", "it", "nl", "pt-BR", "ja")


def _filler(rng: random.Random, need: int) -> str:
    """Exactly ``need`` ASCII bytes of asset data without visible text."""
    if rng.random() < 0.6:
        fam = pick(rng, ("Inter", "SourceSerif", "IconFont", "Brand"))
        pre = f'@font-face{{font-family:"{fam}";font-display:swap;src:url(data:font/woff2;base64,'
        post = ') format("woff2")}'
        body_len = need - len(pre) - len(post)
        return pre + _b64(rng, body_len) + post
    pre = '<svg xmlns="http://www.w3.org/2000/svg" style="display:none" aria-hidden="true">'
    post = "</svg>\n"
    parts = []
    left = need - len(pre) - len(post)
    while left > 0:
        head = f'<symbol id="i-{format(rng.getrandbits(24), "x")}" viewBox="0 0 24 24"><path d="'
        tail = '"/></symbol>'
        room = left - len(head) - len(tail)
        if room < 8:
            parts.append(" " * left)
            break
        n = min(room, rint(rng, 2500, 9000))
        if room - n < 60:
            n = room
        parts.append(head + _path(rng, n) + tail)
        left -= len(head) + n + len(tail)
    return pre + "".join(parts) + post


def _b64(rng: random.Random, n: int) -> str:
    out = []
    while n > 0:
        take = min(n, len(_B64) - 1)
        off = rng.randrange(len(_B64) - take)
        out.append(_B64[off : off + take])
        n -= take
    return "".join(out)


def _path_source() -> str:
    r = random.Random(11)
    out = []
    for _ in range(2500):
        a, b, c, d, e, f, g, h = r.choices(range(10, 24), k=8)
        out.append(f"M{a}.{b} {c}.{d}c{e}.{f} -{g}.{h} {a}.{d} {c}.{b}l-{e}.{g} {h}.{f}z")
    return "".join(out)


_PATH_SRC = _path_source()


def _path(rng: random.Random, n: int) -> str:
    off = rng.randrange(len(_PATH_SRC) - n) if n < len(_PATH_SRC) else 0
    s = _PATH_SRC[off : off + n]
    return s + "0" * (n - len(s))
