"""LaTeX in titles and abstracts, as arXiv records carry it, read as the plain text it
prints: "\\emph{SimPO}" is "SimPO", "$\\beta$-DPO" is "β-DPO", "34\\%" is "34%".

Only what changes how names read is rewritten (text-style commands, Greek letters,
inline math delimiters, escaped specials); any other command is left as written.
"""

from __future__ import annotations

import re

_GREEK = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ϵ",
    "varepsilon": "ε", "zeta": "ζ", "eta": "η", "theta": "θ", "vartheta": "ϑ",
    "iota": "ι", "kappa": "κ", "lambda": "λ", "mu": "μ", "nu": "ν", "xi": "ξ",
    "pi": "π", "rho": "ρ", "sigma": "σ", "tau": "τ", "upsilon": "υ", "phi": "ϕ",
    "varphi": "φ", "chi": "χ", "psi": "ψ", "omega": "ω", "Gamma": "Γ", "Delta": "Δ",
    "Theta": "Θ", "Lambda": "Λ", "Xi": "Ξ", "Pi": "Π", "Sigma": "Σ", "Upsilon": "Υ",
    "Phi": "Φ", "Psi": "Ψ", "Omega": "Ω",
}  # fmt: skip
_TEXT_STYLE = (
    "emph|textit|textbf|textsc|texttt|textsf|textrm|textnormal|underline|text|"
    "mathrm|mathit|mathbf|mathsf|mathtt|boldsymbol|url"
)
_STYLED = re.compile(r"\\(?:" + _TEXT_STYLE + r")\s*\{([^{}$]*)\}")
_GREEK_COMMAND = re.compile(
    r"\\(" + "|".join(sorted(_GREEK, key=len, reverse=True)) + r")(?![A-Za-z])"
)
# No space just inside the dollars and no digit after: "$5 and $10" is money, not math.
_INLINE_MATH = re.compile(r"(?<![\\$])\$(?=\S)([^$\n]{1,120}?)(?<=\S)\$(?![$\d])")
_ESCAPED = re.compile(r"\\([%&_#$])")


def plain_text(text: str) -> str:
    """`text` with the LaTeX that shapes names read as printed."""
    if "\\" not in text and "$" not in text:
        return text
    for _ in range(3):  # nested styles: \textbf{\emph{X}}
        styled = _STYLED.sub(r"\1", text)
        if styled == text:
            break
        text = styled
    text = _GREEK_COMMAND.sub(lambda m: _GREEK[m.group(1)], text)
    text = _INLINE_MATH.sub(r"\1", text)
    return _ESCAPED.sub(r"\1", text)
