// Python highlighting in the stylesheet's colours: each token is coloured through a CSS variable
// (--code-*, styles.css), so the code preview and the expression fields follow the light or dark
// scheme without being drawn again, and keep a readable contrast in both.
import type { PrismTheme } from "prism-react-renderer";

export const codeTheme: PrismTheme = {
  plain: { color: "var(--code-text)" },
  styles: [
    { types: ["comment", "prolog", "doctype", "cdata"], style: { color: "var(--code-comment)", fontStyle: "italic" } },
    { types: ["string", "char", "attr-value", "triple-quoted-string", "string-interpolation"], style: { color: "var(--code-string)" } },
    { types: ["number", "boolean", "constant", "symbol"], style: { color: "var(--code-number)" } },
    { types: ["keyword", "atrule", "selector"], style: { color: "var(--code-keyword)" } },
    { types: ["function", "class-name", "decorator", "annotation"], style: { color: "var(--code-function)" } },
    { types: ["builtin"], style: { color: "var(--code-builtin)" } },
    { types: ["punctuation", "operator"], style: { color: "var(--code-punctuation)" } },
  ],
};
