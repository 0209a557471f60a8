// The site's search (conf.py: html_search_scorer; Sphinx puts this file into language_data.js).
// 1. A solution page ranks after the pages that match as well or better, its exercise page
//    first: a learner who searches meets the questions before their answers.
// 2. The snippet under each result shows math as text, H(p, q) = -Σₖ pₖ log qₖ, not the TeX
//    source that the page holds until MathJax typesets it.

if (typeof Scorer === "undefined") {
  // Sphinx's default scores (searchtools.js), in case this file is read first.
  var Scorer = {
    objNameMatch: 11,
    objPartialMatch: 6,
    objPrio: { 0: 15, 1: 5, 2: -5 },
    objPrioDefault: 0,
    title: 15,
    partialTitle: 7,
    term: 5,
    partialTerm: 2,
  };
}

// More than a match in the title can make up: a solution page never outranks its exercise.
Scorer.score = (result) => {
  const [docname, , , , score] = result;
  return docname.startsWith("exercises/solutions/") ? score - (Scorer.title + 1) : score;
};

(() => {
  "use strict";

  const WORDS = {
    alpha: "α", beta: "β", gamma: "γ", delta: "δ", epsilon: "ε", varepsilon: "ε",
    zeta: "ζ", eta: "η", theta: "θ", kappa: "κ", lambda: "λ", mu: "μ", nu: "ν", xi: "ξ",
    pi: "π", rho: "ρ", sigma: "σ", tau: "τ", phi: "φ", varphi: "φ", chi: "χ", psi: "ψ",
    omega: "ω", Gamma: "Γ", Delta: "Δ", Theta: "Θ", Lambda: "Λ", Pi: "Π", Sigma: "Σ",
    Phi: "Φ", Omega: "Ω", ell: "ℓ", sum: "Σ", prod: "Π", int: "∫", infty: "∞",
    partial: "∂", nabla: "∇", cdot: "·", times: "×", div: "÷", pm: "±", mp: "∓",
    le: "≤", leq: "≤", ge: "≥", geq: "≥", ne: "≠", neq: "≠", approx: "≈", sim: "∼",
    equiv: "≡", propto: "∝", to: "→", rightarrow: "→", Rightarrow: "⇒", leftarrow: "←",
    mapsto: "↦", in: "∈", notin: "∉", subset: "⊂", cup: "∪", cap: "∩", forall: "∀",
    exists: "∃", ldots: "…", dots: "…", cdots: "⋯", mid: "|", lVert: "‖", rVert: "‖",
    Vert: "‖", langle: "⟨", rangle: "⟩", lfloor: "⌊", rfloor: "⌋", lceil: "⌈",
    rceil: "⌉", lbrace: "{", rbrace: "}",
  };
  const ACCENTS = { hat: "\u0302", bar: "\u0304", tilde: "\u0303", vec: "\u20d7" };
  const SUB = Object.fromEntries([..."0123456789+-=()aehijklmnoprstuvx"].map(
    (c, i) => [c, [..."₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ"][i]]));
  const SUP = Object.fromEntries([..."0123456789+-=()inT"].map(
    (c, i) => [c, [..."⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁱⁿᵀ"][i]]));

  // Lowered or raised characters where Unicode has every one, else "_KL" or "^(-z)".
  const script = (text, table, mark) => {
    const chars = [...text.replace(/\s+/g, "")];
    if (chars.every((c) => c in table)) return chars.map((c) => table[c]).join("");
    return /^\w+$/u.test(text) ? mark + text : `${mark}(${text.trim()})`;
  };
  const operand = (text) => (/^[\w.]+$/u.test(text.trim()) ? text.trim() : `(${text.trim()})`);

  // TeX as plain text: good enough for a search snippet, not a renderer.
  const texToText = (tex) => {
    let s = tex.trim().replace(/^\\[([]|\\[)\]]$|^\$\$?|\$\$?$/g, "");
    s = s.replace(/\\(?:left|right|[bB]igg?)(?![a-zA-Z])/g, "");
    s = s.replace(/\\(?:text|math[a-z]*|operatorname|boldsymbol)\{([^{}]*)\}/g, "$1");
    s = s.replace(/\\(hat|bar|tilde|vec)\{?([^{}\s])\}?/g, (_, a, c) => c + ACCENTS[a]);
    s = s.replace(/\\[,;:! ]|\\q?quad(?![a-zA-Z])|~|\\\\/g, " ");
    s = s.replace(/\\\|/g, "‖").replace(/\\([{}%$&#_])/g, "$1");
    s = s.replace(/\\([a-zA-Z]+)/g, (m, word) => {
      if (/^(?:[dt]?frac|sqrt)$/.test(word)) return m;
      return WORDS[word] ?? word;
    });
    s = s.replace(/_\{([^{}]*)\}|_([^\s{])/g, (_, group, one) => script(group ?? one, SUB, "_"));
    s = s.replace(/\^\{([^{}]*)\}|\^([^\s{])/g, (_, group, one) => script(group ?? one, SUP, "^"));
    for (let i = 0; i < 5 && /\\(?:[dt]?frac|sqrt)\{/.test(s); i++) {
      s = s.replace(/\\[dt]?frac\{([^{}]*)\}\{([^{}]*)\}/g,
                    (_, a, b) => ` ${operand(a)}/${operand(b)} `);
      s = s.replace(/\\sqrt\{([^{}]*)\}/g, (_, a) => `√${operand(a)}`);
    }
    s = s.replace(/[{}&]/g, "").replace(/\\[a-zA-Z]*/g, "").replace(/\$/g, "");
    return s.replace(/\s+/g, " ").trim();
  };

  const patchSearchSnippets = () => {
    if (typeof Search === "undefined" || Search.htmlToTextWithTeX) return;
    Search.htmlToTextWithTeX = Search.htmlToText;
    Search.htmlToText = (htmlString, anchor) => {
      const doc = new DOMParser().parseFromString(htmlString, "text/html");
      doc.querySelectorAll(".math").forEach((el) => {
        const text = texToText(el.textContent);
        el.replaceWith(doc.createTextNode(el.tagName === "DIV" ? `\n${text}\n` : text));
      });
      return Search.htmlToTextWithTeX(doc.documentElement.outerHTML, anchor);
    };
  };
  patchSearchSnippets();
  document.addEventListener("DOMContentLoaded", patchSearchSnippets);
  window.xentlearnTexToText = texToText; // for the site's tests
})();
