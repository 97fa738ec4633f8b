"""The five site templates and the generic (unknown-site) pages.

Each renderer reproduces the wording and section order of its real capture
(``data/samples``) for any occupation, score and label, through a
:class:`~benchmarks.pagegen_markup.Markup` so that the same page can be emitted as
HTML in several tag structures or as a plain-text capture. Renderers record what
they state in ``ctx.details`` (tasks with percentages, salary bands, career steps,
pivots, ...) and the decoy scores they place in ``ctx.decoys``.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from benchmarks import pagegen_chrome as chrome
from benchmarks.pagegen_content import (
    DATA_DIR,
    Occupation,
    Scale,
    article,
    by_industry,
    fmt_num,
    industries,
    occupations,
    pick,
    rint,
    rsample,
    salary_base,
)
from benchmarks.pagegen_markup import HtmlMarkup, Markup

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


@dataclass(slots=True)
class Ctx:
    """Everything a renderer needs for one page."""

    template: str
    site: chrome.Site
    occ: Occupation
    value: float | None  # None: the page states no headline score
    label: str | None
    scale: Scale
    rng: random.Random
    S: Markup
    fmt: str
    variant: int
    seed: int
    day: date
    url: str
    mode: str = "normal"  # "normal" | "none" | "conflict"
    conflict_value: float | None = None
    form: int | None = None  # generic pages: index into GENERIC_FORMS
    target_bytes: int | None = None
    chrome: bool = True
    decoys_on: bool = True
    details: dict = field(default_factory=dict)
    decoys: list[str] = field(default_factory=list)

    @property
    def ind(self) -> dict:
        return industries()[self.occ.industry]

    @property
    def html(self) -> bool:
        return self.S.is_html


# --------------------------------------------------------------------------- helpers


@lru_cache(maxsize=8192)
def lower_title(title: str) -> str:
    """``"Registered Nurse"`` -> ``"registered nurse"``, keeping acronyms (``"AI"``, ``"iOS"``)."""
    return " ".join(w if sum(ch.isupper() for ch in w) > 1 else w.lower() for w in title.split(" "))


def words(c: Ctx) -> dict[str, str]:
    """Placeholder values for prose templates."""
    rng = c.rng
    ind = c.ind
    tools = rsample(rng, ind["tools"], 3)
    tasks = ind["tasks"]
    o = c.occ
    return {
        "occ": o.title,
        "occ_l": lower_title(o.title),
        "occs": o.plural,
        "occs_l": lower_title(o.plural),
        "a": article(o.title),
        "ind": ind["name"],
        "tool1": tools[0],
        "tool2": tools[1],
        "tool3": tools[2],
        "task1": pick(rng, tasks).lower(),
        "task2": pick(rng, tasks).lower(),
        "human1": pick(rng, ind["human"]).lower(),
        "human2": pick(rng, ind["human"]).lower(),
    }


def para(rng: random.Random, pool: tuple[str, ...], k: int, w: dict[str, str]) -> str:
    return " ".join(rsample(rng, pool, k)).format_map(w)


def other_value(rng: random.Random, value: float | None, scale: Scale) -> float:
    """A different in-range value (stale or conflicting score)."""
    top = int(scale.scale_max)
    lo = 1
    hi = top - 1 if top > 10 else top
    while True:
        v = float(rint(rng, lo, hi))
        if value is None or abs(v - value) >= (2 if top <= 10 else 6):
            return v


def headline_text(template: str, v: float, form: int | None = None) -> str:
    """The headline as a stale copy would show it (hidden block, HTML comment)."""
    n = fmt_num(v)
    if template == "generic":
        lead, f, _smax, _pol = GENERIC_FORMS[form or 0]
        return f"{lead} {f.format(v=n, stars='★' * int(v) + '☆' * (5 - int(v)))}"
    return {
        "resilience_profile": f"Average resilience score {n}/100",
        "jobisque": f"Your Jobisque Risk Score: {n}/100",
        "impact_report": f"Risk Level: {n}/10",
        "ai_safe_careers": f"Safety Score: {n}/10",
        "career_guide": f"How AI-proof is this career? {n} / 100",
    }[template]


def finish(
    c: Ctx, body: str, title: str, description: str, text_head: tuple[str, ...] = ()
) -> bytes:
    """The document as UTF-8: text as captured; HTML in site chrome with the decoys."""
    if not c.html:
        return ("\n".join((*text_head, body)) if text_head else body).encode()
    if not c.chrome:
        return (
            f"<!DOCTYPE html>\n<html><head><title>{c.S.t(title)}</title></head>"
            f"<body><main>{body}</main></body></html>\n"
        ).encode()
    rng = c.rng
    S = c.S
    assert isinstance(S, HtmlMarkup)
    pre = ""
    post = ""
    if c.decoys_on:
        if rng.random() < 0.45 or c.mode == "none":
            stale = other_value(rng, c.value, c.scale)
            txt = headline_text(c.template, stale, c.form)
            style = pick(
                rng,
                (
                    'style="display:none"',
                    'style="display: none;"',
                    'hidden style="display:none"',
                    'aria-hidden="true" style="display:none !important"',
                ),
            )
            pre = f'<div class="{S.cn()}" {style}>{S.t(txt)}</div>\n'
            c.decoys.append(f"hidden: {txt}")
        if rng.random() < 0.4 or c.mode == "none":
            stale = other_value(rng, c.value, c.scale)
            txt = headline_text(c.template, stale, c.form)
            when = f"2025-{rint(rng, 6, 12):02d}-{rint(rng, 1, 28):02d}"
            post = pick(
                rng,
                (
                    f"<!-- cached score block ({when}): {txt} -->\n",
                    f"<!-- legacy: {txt} updated {when} -->\n",
                    f"<!-- TODO remove old scorecard: {txt} -->\n",
                ),
            )
            c.decoys.append(f"comment: {txt}")
        post += chrome.state_script(rng, c.occ, c.scale.scale_max, c.url.split("/", 3)[-1])
    json_ld = {
        "@context": "https://schema.org",
        "@type": "Article",
        "headline": title,
        "datePublished": f"{c.day.year}-{max(1, c.day.month - 1):02d}-{rint(rng, 1, 28):02d}",
        "dateModified": c.day.isoformat(),
        "publisher": {"@type": "Organization", "name": c.site.brand},
        "about": {"@type": "Occupation", "name": c.occ.title},
    }
    return chrome.wrap_html(
        rng=rng,
        site=c.site,
        title=title,
        description=description,
        canonical=c.url,
        body=body,
        json_ld=json_ld,
        pre_main=pre,
        post_main=post,
        target_bytes=c.target_bytes,
    )


def related(c: Ctx, heading: str, form: str, k: int | None = None) -> str:
    """The related-roles widget (visible decoys); sometimes only its heading, like the samples."""
    if not c.decoys_on or (c.rng.random() < 0.15 and c.mode != "none"):
        return c.S.h(2, c.S.t(heading))
    S = c.S if c.html else None
    rel = chrome.related_widget(S, c.rng, c.occ, heading, c.scale.scale_max, form=form, k=k)  # type: ignore[arg-type]
    c.decoys.extend(f"related: {d}" for d in rel.decoys)
    c.details["related"] = [{"occupation": t, "value": v} for t, v in rel.entries]
    return rel.html if c.html else rel.text


def task_pcts(c: Ctx, k: int) -> list[tuple[str, int]]:
    rng = c.rng
    base = 50.0 if c.value is None else _risk_hint(c)
    tasks = rsample(rng, c.ind["tasks"], k)
    out = []
    for t in tasks:
        pct = int(min(95, max(5, round((base + rng.gauss(0, 18)) / 5) * 5)))
        out.append((t, pct))
    return out


def _risk_hint(c: Ctx) -> float:
    v = c.value or 0.0
    r = v * 100.0 / c.scale.scale_max
    r = min(100.0, max(0.0, r))
    return 100.0 - r if c.scale.polarity == "safety" else r


# --------------------------------------------------------------------------- prose pools


def _load_prose() -> dict:
    """Sentence pools (``benchmarks/data/prose.json``); ``{occ}``-style placeholders."""
    with (DATA_DIR / "prose.json").open(encoding="utf-8") as fh:
        return json.load(fh)


_PROSE = _load_prose()
TASK_WHY = tuple(_PROSE["task_why"])
HUMAN_BETTER = tuple(_PROSE["human_better"])
ACTIONS = tuple(tuple(a) for a in _PROSE["actions"])
HORIZONS = tuple(_PROSE["horizons"])
FAQ_Q = tuple(_PROSE["faq_q"])
FAQ_S = tuple(_PROSE["faq_s"])
HEADING_TO = tuple(_PROSE["heading_to"])
SUMMARY = tuple(_PROSE["summary"])
INTRO_STATE = tuple(_PROSE["intro_state"])
BOTTOM = tuple(_PROSE["bottom"])
BAND_MEANING = _PROSE["band_meaning"]
IMPACT_OVERVIEW = tuple(_PROSE["impact_overview"])
IMPACT_CHANGING = tuple(_PROSE["impact_changing"])
IMPACT_FIXED = _PROSE["impact_fixed"]
ADAPT = tuple(_PROSE["adapt"])
SAFE_WHY = tuple(_PROSE["safe_why"])
SAFE_MEANING = _PROSE["safe_meaning"]
SKILLS = tuple(_PROSE["skills"])
CG_NOTES = tuple(_PROSE["cg_notes"])
PIVOT_WHY = tuple(_PROSE["pivot_why"])
GENERIC_PROSE = tuple(_PROSE["generic_prose"])


# --------------------------------------------------------------------------- templates


def render_resilience_profile(c: Ctx) -> bytes:
    S, rng, o = c.S, c.rng, c.occ
    w = words(c)
    t = S.t
    d = c.details
    pressure = {
        "very_low": "minimal",
        "low": "modest",
        "moderate": "moderate",
        "high": "heavy",
        "very_high": "severe",
    }
    w["pressure"] = pressure.get(d.get("band", "moderate"), "moderate")
    blocks = []
    head = [S.inline(t("AI risk profile"), t(c.label)) if c.label else S.p(t("AI risk profile"))]
    a = article(o.title)
    if c.html:
        head.append(S.h(1, f"Is being {a} {t(o.title)}<br>\nat risk from AI?"))
    else:
        head.append(f"Is being {a} {o.title}\nat risk from AI?")
    head.append(S.p(t(pick(rng, SUMMARY).format_map(w))))
    blocks.append(S.box(*head))

    def score_block(v: float) -> str:
        return S.lines(
            t("Average resilience score"),
            S.score(fmt_num(v), "/100"),
            S.h(3, t("Where this role is heading")),
        )

    if c.mode != "none" and c.value is not None:
        blocks.append(score_block(c.value))
    else:
        blocks.append(S.h(3, t("Where this role is heading")))
    blocks.append(S.p(t(pick(rng, HEADING_TO).format_map(w))))
    blocks.append(S.inline(t("0 · At risk"), t("100 · Resilient")))
    blocks.append(
        S.p(
            t(
                f"Heads up: this is the average for {o.title}. Your score will vary depending "
                "on your specific tasks, industry, and experience."
            )
        )
    )
    blocks.append(S.h(2, t("What AI can (and can't) do in this role today")))
    blocks.append(S.p(t("Task-by-task assessment, calibrated to current AI capability.")))
    tasks = task_pcts(c, 6)
    cards = []
    dtasks = []
    for i, (task, pct) in enumerate(tasks, 1):
        why = pick(rng, TASK_WHY).format(tool=pick(rng, c.ind["tools"]), occ_l=w["occ_l"])
        dtasks.append({"task": task, "pct": pct, "rationale": why})
        if c.html:
            cards.append(
                S.box(
                    S.inline(f"{i:02d}", t(task)), S.p(t(why)), S.inline(f"{pct}%", "automatable")
                )
            )
        else:
            cards.append(f"{i:02d}{task}\n\n{why}\n\n{pct}%automatable")
    d["tasks"] = dtasks
    blocks.append(S.box(*cards) if c.html else "\n".join(cards))
    blocks.append(S.h(2, t("What humans still do better")))
    blocks.append(S.items([t(x) for x in rsample(rng, HUMAN_BETTER, 5)], bullet="  • "))
    if c.mode == "conflict" and c.conflict_value is not None:
        blocks.append(score_block(c.conflict_value))
    blocks.append(S.h(2, t(f"How to raise your resilience as {article(o.title)} {o.title}")))
    recs = []
    drecs = []
    for i, (act, why) in enumerate(rsample(rng, ACTIONS, 5), 1):
        hz = pick(rng, HORIZONS)
        desc = why.format_map(w)
        drecs.append({"ordinal": i, "action": act, "horizon": hz})
        if c.html:
            recs.append(S.box(S.p(f"{i:02d}"), S.h(3, t(act)), S.p(t(desc)), S.p(t(hz))))
        else:
            recs.append(f"{i:02d}\n{act}\n\n{desc}\n\n{hz}")
    d["recommendations"] = drecs
    blocks.append(S.box(*recs) if c.html else "\n\n".join(recs))
    blocks.append(S.h(2, t("Frequently asked")))
    faq = []
    for q in rsample(rng, FAQ_Q, rint(rng, 3, 7)):
        faq.append(S.box(S.h(3, t(q.format_map(w))), S.p(t(para(rng, FAQ_S, rint(rng, 5, 9), w)))))
    blocks.append(S.box(*faq))
    blocks.append(related(c, "Related roles", "{v}/{m}"))
    blocks.append(S.h(2, t("Want your personal score?")))
    blocks.append(
        S.p(
            t(
                "Free, two minutes, no signup. Personalized to your exact tasks, industry, "
                "and experience."
            )
        )
    )
    body = S.box(*blocks)
    if not c.html:
        body = "Skip to main content\n" + body
    return finish(
        c,
        body,
        f"Is being {article(o.title)} {o.title} at risk from AI? | {c.site.brand}",
        f"Task-by-task AI exposure for {o.plural}: what AI can and can't do, and how to raise "
        "your resilience.",
    )


def render_jobisque(c: Ctx) -> bytes:
    S, rng, o = c.S, c.rng, c.occ
    w = words(c)
    t = S.t
    d = c.details
    title = f"Will AI Replace {o.plural}?"
    label = c.label or "moderate"
    desc = (
        f"{o.plural} face {label} AI displacement risk. Learn which tasks are at risk and how "
        "to future-proof your career."
    )
    if c.mode == "none":
        desc = (
            f"{o.plural}: learn which tasks are at risk from AI "
            "and how to future-proof your career."
        )
    blocks = [S.h(1, t(title))]
    blocks.append(
        S.p(
            t(
                f"If you're {article(o.title)} {o.title}, you've probably wondered if AI will "
                "eventually replace your job. It's a fair concern—automation is reaching "
                f"into {w['task1']} faster than most people expected. But here's the nuanced "
                "reality: AI replaces tasks, not entire jobs, and your role is evolving rather "
                "than disappearing."
            )
        )
    )
    blocks.append(S.h(2, t(f"The Current State of AI for {o.plural}")))
    for _ in range(rint(rng, 2, 3)):
        blocks.append(S.p(t(para(rng, INTRO_STATE, rint(rng, 2, 3), w))))
    blocks.append(S.h(2, t("Tasks at Risk")))
    blocks.append(S.p(t(f"Several core {o.title} tasks are increasingly automated:")))
    at_risk = []
    for task in rsample(rng, c.ind["tasks"], rint(rng, 4, 5)):
        why = pick(rng, TASK_WHY).format(tool=pick(rng, c.ind["tools"]), occ_l=w["occ_l"])
        at_risk.append({"task": task, "stance": "at_risk", "description": why})
        blocks.append(S.p(S.strong(t(f"{task}:")) + " " + t(why)) if c.html else f"{task}: {why}")
    blocks.append(S.h(2, t("What AI Can't Replace")))
    blocks.append(
        S.p(
            t(
                f"Despite these advances, critical aspects of the {o.title} role remain distinctly "
                "human:"
            )
        )
    )
    human = []
    for hum in rsample(rng, c.ind["human"], 4):
        why = (
            f"This requires judgment, context and trust that {w['occs_l']} build over years, and "
            "that AI cannot replicate."
        )
        human.append({"task": hum, "stance": "human", "description": why})
        blocks.append(S.p(S.strong(t(f"{hum}:")) + " " + t(why)) if c.html else f"{hum}: {why}")
    d["task_mentions"] = at_risk + human

    def score_block(v: float) -> str:
        return S.h(2, t("Your Jobisque Risk Score: ") + S.score(fmt_num(v), "/100"))

    if c.mode != "none" and c.value is not None:
        v = fmt_num(c.value)
        blocks.append(score_block(c.value))
        blocks.append(
            S.p(
                t(
                    f"Your {o.title} role carries a {label} risk score of {v}/100. This means "
                    f"{BAND_MEANING[d.get('band', 'moderate')]}. The score reflects that while "
                    "AI automates many routine tasks, the role is evolving toward responsibilities "
                    "that require human creativity and judgment."
                )
            )
        )
        blocks.append(
            S.p(
                t(
                    f"This {label} risk actually represents an opportunity. You have time "
                    "to adapt and position yourself in the safer aspects of the field while "
                    "leveraging AI tools to become more productive in your current work."
                )
            )
        )
    else:
        blocks.append(
            S.p(
                t(
                    "Ready to see how exposed your own role is? Our audit looks at your actual "
                    "tasks rather than the job title."
                )
            )
        )
    blocks.append(S.h(2, t("What to Do About It: 5 Action Steps")))
    recs = []
    for i, (act, why) in enumerate(rsample(rng, ACTIONS, 5), 1):
        recs.append({"ordinal": i, "action": act, "horizon": None})
        blocks.append(S.p(t(f"{i}. {act}: {why.format_map(w)}")))
    d["recommendations"] = recs
    if c.mode == "conflict" and c.conflict_value is not None:
        blocks.append(score_block(c.conflict_value))
    blocks.append(S.h(2, t("The Bottom Line")))
    blocks.append(S.p(t(para(rng, BOTTOM, 2, w))))
    blocks.append(
        S.p(
            t(
                "Ready to get a personalized assessment of your AI displacement risk? Take "
                "Jobisque's free career audit to discover your specific risk factors and "
                "get a customized action plan for your career resilience."
            )
        )
    )
    blocks.append(S.h(2, t("Ready to turn this into a real system?")))
    blocks.append(S.p(t("Start the AI audit and see what your business should automate first.")))
    blocks.append(S.inline(S.link(t("Start AI Audit"), "/audit"), t("Continue exploring")))
    blocks.append(related(c, "More career risk reports", "{v}/{m} risk"))
    sep = "\n"
    body = S.box(*blocks, sep=sep)
    return finish(c, body, f"{title} | Jobisque", desc, text_head=(title, desc))


def render_impact_report(c: Ctx) -> bytes:
    S, rng, o = c.S, c.rng, c.occ
    w = words(c)
    t = S.t
    d = c.details
    ind = c.ind["name"]
    d["industry"] = ind
    label = c.label or "moderate"
    blocks = [S.h(1, t(f"AI Impact on {o.title}"))]

    def kv_block(v: float) -> str:
        return S.kv(
            [
                ("Risk Level", S.score(fmt_num(v), "/10")),
                ("Industry", t(ind)),
                ("Risk Category", t(label)),
            ]
        )

    if c.mode != "none" and c.value is not None:
        blocks.append(kv_block(c.value))
    else:
        blocks.append(S.kv([("Industry", t(ind))]))
    blocks.append(S.h(2, t("Overview")))
    blocks.append(S.p(t(para(rng, IMPACT_OVERVIEW, 5, w))))
    blocks.append(S.h(2, t(f"How AI Is Changing the {o.title} Profession")))
    first = ""
    if c.mode != "none" and c.value is not None:
        first = (
            f"The disruption risk for {o.title} professionals is rated {fmt_num(c.value)} out "
            f"of 10, placing it in the {label} risk category. "
        )
    blocks.append(S.p(t(first + para(rng, IMPACT_CHANGING, 3, w))))
    blocks.append(S.h(2, t("Tasks at Risk of Automation")))
    blocks.append(S.p(t(IMPACT_FIXED["risk_tasks"].format_map(w))))
    timelines = ("1-2 years", "2-3 years", "3-5 years", "already underway", "5+ years")
    tasks = rsample(rng, c.ind["tasks"], 8)
    risk_items = [(x, pick(rng, timelines)) for x in tasks[:4]]
    safe_items = tasks[4:7]
    show_lists = c.html or rng.random() < 0.3
    if show_lists:
        blocks.append(S.items([t(f"{x} — {tl}") for x, tl in risk_items]))
    blocks.append(S.h(2, t("Tasks That Remain Safe from AI")))
    blocks.append(S.p(t(IMPACT_FIXED["safe_tasks"].format_map(w))))
    if show_lists:
        blocks.append(S.items([t(x) for x in safe_items]))
        d["task_mentions"] = [
            {"task": x, "stance": "at_risk", "timeline": tl} for x, tl in risk_items
        ] + [{"task": x, "stance": "human"} for x in safe_items]
    blocks.append(S.h(2, t("AI Tools Entering This Role")))
    blocks.append(S.p(t(IMPACT_FIXED["tools"].format_map(w))))
    tools = rsample(rng, c.ind["tools"], 4)
    if show_lists:
        blocks.append(S.items([t(x) for x in tools]))
        d["tools"] = tools
    if c.mode == "conflict" and c.conflict_value is not None:
        blocks.append(kv_block(c.conflict_value))
    blocks.append(S.h(2, t("Salary Impact Projection")))
    lo = rint(rng, 2, 12)
    hi = lo + rint(rng, 3, 10)
    base = salary_base(c.seed, o)
    top_lo = int(round(base * rng.uniform(1.8, 2.4), -4))
    top_hi = int(round(top_lo * rng.uniform(1.4, 1.8), -4))
    d["salary_growth"] = {"low_pct": lo, "high_pct": hi, "period": "annual"}
    d["salary_bands"] = [
        {
            "seniority": f"Senior {o.plural} at top companies",
            "low": top_lo,
            "high": top_hi,
            "open_ended": True,
            "currency": "USD",
            "region": None,
        }
    ]
    blocks.append(
        S.p(
            t(
                f"{o.title} salaries growing {lo}-{hi}% annually. Senior {o.plural} at top "
                f"companies earning ${top_lo:,}-${top_hi:,}+. "
                f"Specialists who combine {w['human1']} "
                "with AI fluency are seeing the fastest growth."
            )
        )
    )
    blocks.append(S.p(t(IMPACT_FIXED["salary2"].format_map(w))))
    blocks.append(S.h(2, t(f"Adaptation Strategy for {o.title} Professionals")))
    blocks.append(S.p(t(para(rng, ADAPT, 5, w))))
    blocks.append(S.p(t(IMPACT_FIXED["adapt2"].format_map(w))))
    blocks.append(S.h(2, t("Certifications to Strengthen Your Position")))
    blocks.append(S.p(t(IMPACT_FIXED["certs"].format_map(w))))
    blocks.append(related(c, f"Related AI Impact Analyses in {ind}", "{v}/{m}"))
    body = S.box(*blocks)
    return finish(
        c,
        body,
        f"AI Impact on {o.title} | {c.site.brand}",
        f"How AI affects {o.plural}: risk level, tasks at risk, tools and salary outlook.",
    )


def render_ai_safe_careers(c: Ctx) -> bytes:
    S, rng, o = c.S, c.rng, c.occ
    w = words(c)
    t = S.t
    d = c.details
    ind = c.ind["name"]
    d["industry"] = ind
    label = c.label or "AI-Resistant"
    blocks = [S.h(1, t(f"{o.title} — AI-Safe Career"))]

    def kv_block(v: float) -> str:
        return S.kv(
            [
                ("Safety Category", t(label)),
                ("Safety Score", S.score(fmt_num(v), "/10")),
                ("Industry", t(ind)),
            ]
        )

    if c.mode != "none" and c.value is not None:
        blocks.append(kv_block(c.value))
    else:
        blocks.append(S.kv([("Industry", t(ind))]))
    blocks.append(S.h(2, t(f"Why {o.title} Is an AI-Safe Career")))
    why = para(rng, SAFE_WHY, 5, w)
    if c.mode != "none" and c.value is not None:
        why += (
            f" With a safety score of {fmt_num(c.value)} out of 10, {o.title} falls into the "
            f'"{label}" category.'
            f" This means this career is {SAFE_MEANING[d.get('band', 'moderate')]}."
        )
    why += (
        f" Professionals in the {ind} industry who pursue this path can expect meaningful work "
        "that leverages uniquely human capabilities."
    )
    blocks.append(S.p(t(why)))
    blocks.append(S.h(2, t(f"How AI Enhances the {o.title} Role")))
    blocks.append(
        S.p(
            t(
                f"{w['tool1']}, {w['tool2']} and similar tools accelerate routine work such "
                f"as {w['task1']}. Rather than threatening the {o.title} profession, AI serves "
                f"as a powerful ally that amplifies human expertise. The most successful {o.title} "
                "professionals will be those who embrace AI tools while deepening the human "
                "skills — judgment, empathy, creativity, and physical presence — that technology "
                "cannot replicate."
            )
        )
    )
    blocks.append(S.h(2, t("Required Skills")))
    skills = rsample(rng, SKILLS, 5)
    if c.html or rng.random() < 0.3:
        blocks.append(S.items([t(x) for x in skills]))
    d["skills"] = skills
    if c.mode == "conflict" and c.conflict_value is not None:
        blocks.append(kv_block(c.conflict_value))
    blocks.append(S.h(2, t("Salary Range")))
    base = salary_base(c.seed, o)
    entry = int(round(base * rng.uniform(0.6, 0.8), -4 if base > 60000 else -3))
    mid = int(round(base, -4 if base > 60000 else -3))
    senior = int(round(base * rng.uniform(1.4, 1.9), -4 if base > 60000 else -3))
    d["salary_bands"] = [
        {
            "seniority": s,
            "low": v,
            "high": None,
            "open_ended": False,
            "currency": "USD",
            "region": None,
        }
        for s, v in (("Entry", entry), ("Mid", mid), ("Senior", senior))
    ]
    blocks.append(S.p(t(f"Entry: ${entry:,} | Mid: ${mid:,} | Senior: ${senior:,}")))
    blocks.append(S.h(2, t("Growth Outlook")))
    blocks.append(
        S.p(
            t(
                f"Steady growth expected as {w['ind']} adopts new tools. Demand for experienced "
                f"{w['occs_l']} remains strong where {w['human1']} matters."
            )
        )
    )
    blocks.append(S.h(2, t("Education Path")))
    blocks.append(
        S.p(
            t(
                pick(
                    rng,
                    (
                        "Bachelor's degree in a related field is typical. "
                        "Professional certification "
                        "and supervised experience are highly valued.",
                        "Vocational training or an apprenticeship, followed by licensing "
                        "where required. Continuing education keeps skills current.",
                        "Associate or bachelor's degree, plus on-the-job training. A strong "
                        "portfolio of real work is highly valued.",
                    ),
                )
            )
        )
    )
    blocks.append(S.h(2, t("Transition Into This Career From")))
    pool = by_industry().get(o.industry) or occupations()
    froms = [x.title for x in rsample(rng, pool, min(4, len(pool))) if x.title != o.title][:3]
    if c.html or rng.random() < 0.3:
        blocks.append(
            S.items([S.link(t(x), "/careers/" + x.lower().replace(" ", "-")) for x in froms])
        )
    d["transitions"] = froms
    blocks.append(
        S.h(2, t(f"Building {article(o.title)} {o.title} Resume That Gets Past Screening Software"))
    )
    blocks.append(
        S.p(
            t(
                f"When applying for {o.title} positions, your resume is typically processed "
                "by applicant tracking systems before reaching a hiring manager. Even in "
                "AI-safe careers, the hiring process itself uses automated screening. For "
                f"{o.title} roles, include the specific skills, certifications, and tools "
                "mentioned in job descriptions. Use industry-standard terminology and include "
                "relevant certifications prominently in your resume."
            )
        )
    )
    blocks.append(
        related(
            c,
            "Explore similar careers",
            "{v}/{m}",
        )
    )
    blocks.append(
        S.p(
            S.link(t("Optimize Your Resume"), "/resume")
            + t(" | ")
            + S.link(t("Check Your AI Risk Score"), "/checker")
        )
    )
    body = S.box(*blocks)
    return finish(
        c,
        body,
        f"{o.title} — AI-Safe Career | {c.site.brand}",
        f"Is {o.title} an AI-safe career? Safety category, salary range and how to get in.",
    )


def render_career_guide(c: Ctx) -> bytes:
    S, rng, o = c.S, c.rng, c.occ
    w = words(c)
    t = S.t
    d = c.details
    occ = o.title
    sections = []
    n = 0

    def section(title: str, *parts: str) -> str:
        nonlocal n
        n += 1
        return S.box(S.p(f"{n:02d}"), S.h(2, t("▼" + title)), *parts, sep="\n")

    tasks = rsample(rng, c.ind["tasks"], rint(rng, 5, 8))
    duties = [
        f"{x} — {pick(rng, ('Handle', 'Own', 'Support', 'Coordinate', 'Deliver'))} {x.lower()} "
        "reliably and to standard."
        for x in tasks
    ]
    sections.append(
        section(
            f"What {article(occ)} {occ} actually does",
            S.p(
                t(
                    f"{article(occ).capitalize()} {occ} works across {w['task1']}, {w['task2']} "
                    f"and the everyday coordination that keeps {w['ind'].lower()} work moving."
                )
            ),
            S.items([t(x) for x in duties]) if c.html else "\n".join(duties),
            S.p(t(pick(rng, CG_NOTES[:2]))),
        )
    )
    d["duties"] = tasks
    sections.append(
        section(
            f"{occ} skills needed",
            S.lines(
                t("Hard skills"), t("Software & tools"), t("Soft skills"), t("Personality fit")
            ),
            S.p(t(CG_NOTES[1])),
        )
    )
    sections.append(
        section(
            "Day-in-the-life simulation",
            S.lines(
                t("Select seniority level"), t("Junior"), t("Mid-level"), t("Senior"), t("Manager")
            ),
            S.p(t(f"Junior {occ} — first role")),
            S.p(t("Tap each hour")),
            S.p(t(CG_NOTES[2])),
        )
    )
    base = salary_base(c.seed, o)
    bands = []
    lo = base * rng.uniform(0.62, 0.78)
    for sen, mult in (("Junior", 1.35), ("Mid", 1.38), ("Senior", 1.42), ("Manager", 1.45)):
        low_k = int(round(lo / 1000 / 5) * 5)
        high_k = int(round(lo * mult / 1000 / 5) * 5)
        if high_k <= low_k:
            high_k = low_k + 5
        bands.append((sen, low_k, high_k))
        lo = high_k * 1000
    d["salary_bands"] = [
        {
            "seniority": s,
            "low": a * 1000,
            "high": b * 1000,
            "open_ended": False,
            "currency": "USD",
            "region": "US",
        }
        for s, a, b in bands
    ]
    regions = (
        "Southeast Asia",
        "MY",
        "SG",
        "PH",
        "TH",
        "ID",
        "VN",
        "South Asia & Oceania",
        "IN",
        "AU",
        "NZ",
        "Europe",
        "UK",
        "DE",
        "NL",
        "Americas & Middle East",
        "US",
        "CA",
        "UAE",
    )
    sal_lines = []
    for sen, a, b in bands:
        sal_lines.append(S.lines(t(sen), t(f"${a}k–${b}k")))
    sections.append(
        section(
            f"{occ} salary — by country & seniority",
            S.lines(t("Annual salary ranges"), t("Showing: United States")),
            S.lines(*[t(x) for x in regions]),
            S.p(
                t(
                    "* Limited market data — figures are broad estimates. Verify against "
                    "local sources before making career decisions."
                )
            ),
            S.box(*sal_lines, sep="\n"),
            S.p(t(CG_NOTES[3])),
        )
    )

    def score_block(v: float) -> str:
        return S.box(
            S.h(3, t("How AI-proof is this career?")),
            S.p(t("Based on task complexity, human judgement, and automation research")),
            S.score(fmt_num(v), "/ 100", split_lines=True),
            S.lines(t(c.label or ""), t(c.label or "")) if c.label else "",
            S.inline(t("High risk"), t("Moderate"), t("Safe")),
            sep="\n",
        )

    bullets = [
        pick(
            rng,
            (
                "This role depends on {human1}, which is why demand remains steady.",
                "Much of the work involves {human1}, which keeps people central.",
            ),
        ).format_map(w),
        f"{w['tool1']} speeds up {w['task1']} and reduces some routine friction.",
        f"{w['task2'].capitalize()} and {w['human2']} remain difficult to automate.",
        f"{o.plural} who can combine expertise with AI tools should remain hard to replace.",
    ]
    parts = []
    if c.mode != "none" and c.value is not None:
        parts.append(score_block(c.value))
    else:
        parts.append(S.h(3, t("How AI-proof is this career?")))
    parts += [S.p(t(x)) for x in bullets]
    if c.mode == "conflict" and c.conflict_value is not None:
        parts.append(score_block(c.conflict_value))
    parts.append(
        S.p(
            t(
                f"Note: AI tools help {w['occs_l']} move faster, but they also increase the "
                "need for people who can check and govern automated output."
            )
        )
    )
    sections.append(section("AI risk & future-proofing", *parts))
    yrs = [0, 2, pick(rng, (4, 5)), pick(rng, (7, 8)), pick(rng, (10, 12))]
    titles = [
        f"Junior {occ}",
        occ,
        f"Senior {occ}",
        f"Lead {occ}",
        pick(rng, (f"{occ} Manager", f"Head of {occ} Team", "Director")),
    ]
    steps = []
    dsteps = []
    for i in range(5):
        ymin = yrs[i]
        ymax = yrs[i + 1] if i < 4 else None
        span = f"{ymin} – {ymax} years" if ymax is not None else f"{ymin}+ years"
        desc = pick(
            rng,
            (
                "Handles scoped work under supervision.",
                "Owns a defined area end to end.",
                "Handles complex cases and mentors others.",
                "Sets direction and standards for a team.",
                "Owns strategy, staffing and budget.",
            ),
        )
        dsteps.append({"step": i + 1, "title": titles[i], "years_min": ymin, "years_max": ymax})
        steps.append(
            S.box(S.p(f"{i + 1:02d}"), S.h(3, t(titles[i])), S.p(t(desc)), S.p(t(span)), sep="\n")
        )
    d["career_steps"] = dsteps
    sections.append(
        section(
            "Career progression",
            *steps,
            S.p(
                t(
                    f"Note: The most valued {w['occs_l']} are trusted owners of outcomes, "
                    "not just task performers."
                )
            ),
        )
    )
    pool = by_industry().get(o.industry) or occupations()
    piv = []
    dpiv = []
    for x in rsample(rng, pool, min(len(pool), 7)):
        if x.title == occ or len(piv) == 6:
            continue
        ease = pick(rng, ("High", "High", "Medium", "Medium", "Low"))
        desc = pick(rng, PIVOT_WHY).format(x=pick(rng, c.ind["tasks"]).lower())
        dpiv.append({"role": x.title, "ease": ease})
        piv.append(S.box(S.h(3, t(x.title)), S.p(t(desc)), S.p(t(f"Ease: {ease}")), sep="\n"))
    d["pivots"] = dpiv
    sections.append(
        section(
            "Where can you pivot from this role?",
            *piv,
            S.p(
                t(
                    "Note: Adjacent moves are strongest when you can show real ownership "
                    "of outcomes."
                )
            ),
        )
    )
    month = MONTHS[c.day.month - 1]
    d["page_date"] = f"{month} {c.day.year}"
    src = (
        "Sources & methodologyDay-in-the-life simulations drawn from practitioner discussions "
        "and aggregated job descriptions. "
        "Salary benchmarks reference the BLS Occupational Outlook Handbook, Glassdoor salary "
        "data, Payscale and Levels.fyi. "
        "AI risk assessment based on task-level automation exposure. All figures are indicative "
        "benchmarks for educational reference only. "
        f"Last updated: {month} {c.day.year}."
    )
    if c.html:
        sections.append(related(c, f"Careers similar to {occ}", "{v} / {m}"))
        sections.append(
            S.p(S.inline(t("Sources & methodology"), t(src[len("Sources & methodology") :])))
        )
    else:
        if rng.random() < 0.5:
            sections.append(related(c, "Compare similar careers", "{v} / {m}"))
        sections.append(src)
    body = S.box(*sections, sep="\n")
    return finish(
        c,
        body,
        f"{occ} Career Guide: Salary, Skills & AI Risk | {c.site.brand}",
        f"What {article(occ)} {occ} does, salaries by country and seniority, AI risk, career "
        "progression and pivots.",
    )


# --------------------------------------------------------------------------- generic sites

# (lead-in, format, scale_max, polarity)
GENERIC_FORMS = (
    ("Automation risk:", "{v}/10", 10.0, "risk"),
    ("AI exposure", "{v}%", 100.0, "risk"),
    ("Replacement risk score:", "{v}/100", 100.0, "risk"),
    ("Future-proof score:", "{v}/10", 10.0, "safety"),
    ("AI resilience score:", "{v}/100", 100.0, "safety"),
    ("Job safety rating:", "{v}%", 100.0, "safety"),
    ("AI risk rating:", "{stars} ({v} out of 5 stars)", 5.0, "risk"),
)


AUTHORS = ("Alex Morgan", "Priya Raman", "Sam Okafor", "Jordan Lee", "Maria Gomez")


def render_generic(c: Ctx, form: int, heading_style: int) -> bytes:
    """An unknown site: a clear headline score in a common form, or none (``mode='none'``)."""
    S, rng, o = c.S, c.rng, c.occ
    w = words(c)
    t = S.t
    d = c.details
    lead, f, _smax, _pol = GENERIC_FORMS[form]
    if heading_style == 0:
        title = f"Will AI replace {o.plural}?"
    elif heading_style == 1:
        title = f"{o.title}: AI risk"
    else:
        title = f"Will AI Replace {o.plural}? What the Data Says"
    d["occupation_raw"] = o.plural if heading_style != 1 else o.title
    blocks = [S.h(1, t(title))]
    blocks.append(
        S.p(
            t(
                f"By {pick(rng, AUTHORS)} "
                f"· {MONTHS[c.day.month - 1]} {c.day.day}, {c.day.year} · {rint(rng, 4, 11)} "
                "min read"
            )
        )
    )
    blocks.append(S.p(t(para(rng, GENERIC_PROSE, 3, w))))

    def written(v: float) -> str:
        return f.format(v=fmt_num(v), stars="★" * int(v) + "☆" * (5 - int(v)))

    def score_line(v: float) -> str:
        parts = [S.strong(t(lead)) if c.html else lead, t(written(v))]
        if c.label:
            parts.append(t(f"({c.label})"))
        return S.p(" ".join(parts))

    if c.mode != "none" and c.value is not None:
        blocks.append(score_line(c.value))
        d["score_text"] = f"{lead} {written(c.value)}"
    for _ in range(rint(rng, 2, 4)):
        blocks.append(
            S.h(
                2,
                t(
                    pick(
                        rng,
                        (
                            "What changes",
                            "What stays human",
                            "Skills to build",
                            "The bottom line",
                            "What employers say",
                            "Outlook",
                        ),
                    )
                ),
            )
        )
        blocks.append(S.p(t(para(rng, GENERIC_PROSE, rint(rng, 2, 4), w))))
    if c.mode == "conflict" and c.conflict_value is not None:
        blocks.append(score_line(c.conflict_value))
    if rng.random() < 0.5:
        blocks.append(related(c, "Compare other jobs", "{v}/{m}" if f != "{v}%" else "{v}%"))
    body = S.box(*blocks)
    return finish(
        c,
        body,
        f"{title} | {c.site.brand}",
        f"{o.title} and artificial intelligence: what changes and what stays human.",
    )


TEXT_SEP = {
    "resilience_profile": "\n\n",
    "jobisque": "\n",
    "impact_report": "\n\n",
    "ai_safe_careers": "\n\n",
    "career_guide": "\n",
    "generic": "\n\n",
}

RENDERERS = {
    "resilience_profile": render_resilience_profile,
    "jobisque": render_jobisque,
    "impact_report": render_impact_report,
    "ai_safe_careers": render_ai_safe_careers,
    "career_guide": render_career_guide,
}
