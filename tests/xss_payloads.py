"""A systematic XSS corpus: every payload carries its own number, so a hook call names the culprit.

Each payload, if it ever ran, would call `__xss(n)` (recorded by an init script) or `alert(n)`
(recorded as a dialog). Template-injection payloads instead hold `x{{7*7}}x`-style markers that
must never show up evaluated (`x49x`).
"""

from dataclasses import dataclass

EVALUATED_MARKERS = ("x49x", "x7777777x")


@dataclass(frozen=True)
class Payload:
    id: int
    family: str
    text: str


def _call(n: int) -> str:
    # Mix the hooks: alert() is what an attacker tries first, __xss() survives alert overrides.
    return f"alert({n})" if n % 3 == 0 else f"__xss({n})"


# Element and event-handler pairs that fire without user interaction, plus a few that need it
# (the DOM check still catches those: no on* attribute may survive).
_TAG_EVENTS = [
    "<img src=x onerror={c}>", "<img src=x onerror=\"{c}\">", "<IMG SRC=x OnErRoR={c}>",
    "<img/src=x/onerror={c}>", "<img src onerror={c}>", "<image src=x onerror={c}>",
    "<svg onload={c}>", "<svg/onload={c}>", "<SVG ONLOAD={c}>", "<body onload={c}>",
    "<body onpageshow={c}>", "<input autofocus onfocus={c}>", "<input onfocus={c} autofocus>",
    "<select autofocus onfocus={c}></select>", "<textarea autofocus onfocus={c}></textarea>",
    "<keygen autofocus onfocus={c}>", "<button autofocus onfocus={c}>x</button>",
    "<details open ontoggle={c}>", "<video src=x onerror={c}>",
    "<video><source onerror={c}></video>", "<audio src=x onerror={c}>",
    "<iframe onload={c}></iframe>", "<object data=x onerror={c}></object>",
    "<marquee onstart={c}>x</marquee>", "<style onload={c}></style>",
    "<link rel=stylesheet href=x onerror={c}>", "<script src=x onerror={c}></script>",
    "<div onmouseover={c}>x</div>", "<a onmouseover={c}>x</a>", "<p onclick={c}>x</p>",
    "<div style=animation-name:spin onanimationstart={c}>x</div>",
    "<div onpointerenter={c}>x</div>", "<form onsubmit={c}><button>x</button></form>",
    "<table background=x onerror={c}>", "<frameset onload={c}>",
    "<input type=image src=x onerror={c}>",
    "<isindex type=image src=x onerror={c}>", "<embed src=x onerror={c}>",
    "<track src=x onerror={c}>", "<picture><img src=x onerror={c}></picture>",
]

_SCRIPTS = [
    "<script>{c}</script>", "<ScRiPt>{c}</sCrIpT>", "<script >{c}</script >",
    "<script/x>{c}</script>", "<script type=module>{c}</script>",
    "<script src=data:,{c}></script>", "<script>/*</script>*/{c}</script>",
    "<script\n>{c}</script\n>", "<script>{c}//", "<scr<script>ipt>{c}</scr</script>ipt>",
    "<<script>{c};//<</script>", "<script>\\u0061lert(1);{c}</script>",
]

_BREAKOUTS = [
    "\"><script>{c}</script>", "'><script>{c}</script>", "\"><img src=x onerror={c}>",
    "'><img src=x onerror={c}>", "\" onmouseover=\"{c}", "' onfocus='{c}' autofocus='",
    "\" autofocus onfocus=\"{c}", "` onmouseover={c} `", "</title><script>{c}</script>",
    "</textarea><script>{c}</script>", "</style><script>{c}</script>",
    "</noscript><script>{c}</script>", "--><script>{c}</script>", "]]><script>{c}</script>",
    "</script><script>{c}</script>", "</script><img src=x onerror={c}>", "';{c};//",
    "\";{c};//", "\\\";{c};//", "'-{c}-'", "\"-{c}-\"", "${{{c}}}", "</option><script>{c}</script>",
    "</select><img src=x onerror={c}>", "</a><script>{c}</script>",
    "\" data-x=\"\"><svg onload={c}>",
]

_URLS = [
    "javascript:{c}", "JaVaScRiPt:{c}", " javascript:{c}", "javascript&colon;{c}",
    "java&#x09;script:{c}", "java&#x0A;script:{c}", "java&#13;script:{c}",
    "&#106;avascript:{c}", "&#x6A;&#x61;vascript:{c}", "&#0000106avascript:{c}",
    "jav&#x09;ascript:{c}", "vbscript:{c}", "VBScript:{c}",
    "data:text/html,<script>{c}</script>", "data:text/html;base64,PHNjcmlwdD5fX3hzcygpPC9zY3JpcHQ+",
    "data:image/svg+xml,<svg onload={c}>", "javascript://x.nl/%0a{c}",
]
_URL_ELEMENTS = [
    "<a href=\"{u}\">klik</a>", "<iframe src=\"{u}\"></iframe>",
    "<form action=\"{u}\"><button>x</button></form>", "<button formaction=\"{u}\">x</button>",
    "<object data=\"{u}\"></object>", "<embed src=\"{u}\">",
    "<svg><a xlink:href=\"{u}\"><text y=9>x</text></a></svg>", "<base href=\"{u}\">",
    "<img src=\"{u}\">", "<math href=\"{u}\">x</math>",
]

_MARKDOWN = [
    "[klik hier](javascript:{c})", "[klik](JAVASCRIPT:{c})", "[klik](&#106;avascript:{c})",
    "[klik](java\tscript:{c})", "[klik](javascript&#58;{c})", "[klik]( javascript:{c} )",
    "[klik](<javascript:{c}>)", "[klik](%6Aavascript:{c})", "[klik](vbscript:{c})",
    "[klik](data:text/html,<script>{c}</script>)",
    "[klik](data:text/html;base64,PHNjcmlwdD5fX3hzcygpPC9zY3JpcHQ+)",
    "![plaatje](javascript:{c})", "![plaatje](data:image/svg+xml,<svg onload={c}>)",
    "![x](https://a.nl/x.png\"onerror=\"{c})", "[a](https://a.nl\"onmouseover=\"{c})",
    "<javascript:{c}>", "<JavaScript:{c}>", "<vbscript:{c}>",
    "[ref]\n\n[ref]: javascript:{c}", "[ref][1]\n\n[1]: JaVaScRiPt:{c} \"t\"",
    "[x](#\"onmouseover=\"{c})", "[<img src=x onerror={c}>](https://a.nl)",
    "[x](https://a.nl \"\"><script>{c}</script>\")",
]

_HTML_IN_MARKDOWN = [
    "**<img src=x onerror={c}>**", "*<svg onload={c}>*", "> <script>{c}</script>",
    "# <img src=x onerror={c}>", "## <svg onload={c}>", "- <iframe src=javascript:{c}>",
    "1. <details open ontoggle={c}>", "| a |\n|---|\n| <script>{c}</script> |",
    "`<img src=x onerror={c}>`", "```html\n<script>{c}</script>\n```",
    "    <script>{c}</script>", "<div>\n<script>{c}</script>\n</div>",
    "<!-- x -->\n<img src=x onerror={c}>", "<style>*{{x:expression({c})}}</style>",
    "<form action=javascript:{c}><input type=submit></form>",
    "text<br onclick={c}>text", "<a href=javascript:{c}>*klik*</a>",
    "***<script>{c}</script>***", "<details>\n<summary onclick={c}>x</summary>\n</details>",
    "~~<img src=x onerror={c}>~~",
]

_SVG_MATHML = [
    "<svg><script>{c}</script></svg>", "<svg><animate onbegin={c} attributeName=x dur=1s>",
    "<svg><set attributeName=onload to={c}>", "<svg><foreignObject><img src=x onerror={c}>",
    "<svg><use href=\"data:image/svg+xml,<svg id=x onload={c}>#x\">",
    "<svg><image href=x onerror={c}>", "<svg><style>@import '{c}'</style></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror={c}>",
    "<math><maction actiontype=statusline xlink:href=javascript:{c}>x</maction></math>",
    "<svg></p><style><a id=\"</style><img src=1 onerror={c}>\">",
    "<form><math><mtext></form><form><mglyph><style></math><img src onerror={c}>",
    "<svg><discard onbegin={c}>", "<math><a xlink:href=javascript:{c}>x</a></math>",
]

_NESTING = [
    "<noscript><p title=\"</noscript><img src=x onerror={c}>\">",
    "<img \"\"\"><script>{c}</script>\">", "<a href=\"</a><script>{c}</script>\">x</a>",
    "<template><script>{c}</script></template>", "<xmp><img src=x onerror={c}></xmp>",
    "<title><img src=x onerror={c}></title>", "<listing><img src=x onerror={c}></listing>",
    "<!--<img src=\"--><img src=x onerror={c}//\">", "<![CDATA[><img src=x onerror={c}>]]>",
    "<iframe srcdoc=\"<script>parent.{c}</script>\"></iframe>",
    "<meta http-equiv=refresh content=\"0;url=javascript:{c}\">",
    "<link rel=import href=\"data:text/html,<script>{c}</script>\">",
    "<div style=\"background:url(javascript:{c})\">x</div>",
    "<style>@import 'javascript:{c}';</style>", "<object data=\"javascript:{c}\"></object>",
]

_ENCODED = [
    "&lt;script&gt;{c}&lt;/script&gt;", "&#60;script&#62;{c}&#60;/script&#62;",
    "&#x3C;img src=x onerror={c}&#x3E;", "\\u003cscript\\u003e{c}\\u003c/script\\u003e",
    "\\x3cscript\\x3e{c}\\x3c/script\\x3e", "%3Cscript%3E{c}%3C/script%3E",
    "%253Cscript%253E{c}%253C/script%253E", "\uff1cscript\uff1e{c}\uff1c/script\uff1e",
    "<scr\u200bipt>{c}</scr\u200bipt>", "+ADw-script+AD4-{c}+ADw-/script+AD4-",
    "<img src=x onerror=&#x61;&#x6C;ert({n})>", "<img src=x onerror=\\u0061lert({n})>",
    "<a href=\"&#x6A;avascript&#x3A;{c}\">x</a>", "<ſcript>{c}</ſcript>",
    "<img src=x onerror=eval(atob('X194c3MoKQ=='))>", "<İmg src=x onerror={c}>",
]

_TEMPLATES = [
    "x{{{{7*7}}}}x", "x${{7*7}}x", "x#{{7*7}}x", "x<%= 7*7 %>x", "x{{{{=7*7}}}}x",
    "x{{{{7*'7'}}}}x", "x{{% print(7*7) %}}x", "x[[7*7]]x", "x{{{{ 7 * 7 }}}}x",
    "{{{{constructor.constructor('{c}')()}}}}", "{{{{config}}}} {{{{ self.__init__ }}}}",
    "{{{{''.__class__.__mro__}}}}", "{{% debug %}}", "x@(7*7)x",
]

_POLYGLOTS = [
    "jaVasCript:/*-/*`/*\\`/*'/*\"/**/(/* */oNcliCk={c} )//%0D%0A%0d%0a//</stYle/</titLe/"
    "</teXtarEa/</scRipt/--!>\\x3csVg/<sVg/oNloAd={c}//>\\x3e",
    "'\"><img src=x onerror={c}><\"'", "\"'--></style></script><script>{c}</script>",
    "'\"`><\\x3Cscript>{c}</script>", "<svg/onload={c}>\"'`--></textarea></title>",
]

FAMILIES = {
    "tag-event": _TAG_EVENTS,
    "script": _SCRIPTS,
    "breakout": _BREAKOUTS,
    "url-scheme": [e.replace("{u}", u) for u in _URLS[:10] for e in _URL_ELEMENTS[:4]]
    + [e.replace("{u}", u) for u in _URLS[10:] for e in _URL_ELEMENTS[:1]]
    + [e.replace("{u}", "javascript:{c}") for e in _URL_ELEMENTS[4:]],
    "markdown-link": _MARKDOWN,
    "html-in-markdown": _HTML_IN_MARKDOWN,
    "svg-mathml": _SVG_MATHML,
    "nesting": _NESTING,
    "encoded": _ENCODED,
    "template": _TEMPLATES,
    "polyglot": _POLYGLOTS,
}


def corpus() -> list[Payload]:
    """All payloads, numbered from 1; duplicates (after filling in the call) dropped."""
    seen, payloads = set(), []
    for family, templates in FAMILIES.items():
        for template in templates:
            n = len(payloads) + 1
            text = template.format(c=_call(n), n=n)
            if text not in seen:
                seen.add(text)
                payloads.append(Payload(n, family, text))
    return payloads


def pack(payloads: list[Payload], limit: int, separator: str = " ") -> list[str]:
    """Payloads joined into as few strings of at most `limit` characters as possible, in order;
    a payload longer than the limit is left out (the field cannot hold it)."""
    chunks, current = [], ""
    for payload in payloads:
        if len(payload.text) > limit:
            continue
        candidate = current + separator + payload.text if current else payload.text
        if len(candidate) <= limit:
            current = candidate
        else:
            chunks.append(current)
            current = payload.text
    if current:
        chunks.append(current)
    return chunks
